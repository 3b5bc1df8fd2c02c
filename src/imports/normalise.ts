/**
 * The one normalisation used to compare headers and coded values: exports spell the same thing
 * as "Geb. datum", "geb.datum" or "GEBOORTEDATUM", "vmbo-k" or "VMBO K", "Brin vestiging".
 */
export function normaliseKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // strip diacritics: "geëmigreerd" -> "geemigreerd"
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Like normaliseKey but keeps word boundaries, for keyword search in free text. */
export function normaliseWords(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
