import type { Parsed } from './values.js';

export interface PersonName {
  roepnaam?: string;
  tussenvoegsel?: string;
  achternaam: string;
}

/**
 * Dutch tussenvoegsels (after the BRP's table of voorvoegsels), plus the common foreign ones
 * seen in Dutch schools. Single words that are also given names in the same position ("ben",
 * "bin", "al", "do", "lo") are left out: in "Anna Do Tran" a false split is worse than none.
 */
const TUSSENVOEGSELS = new Set([
  'van', 'van de', 'van der', 'van den', 'van het', "van 't", 'van de l\'', 'van ter', 'van van de',
  'de', 'den', 'der', 'des', 'het', "'t", 'te', 'ter', 'ten', 'tot', 'toe',
  'in', "in 't", 'in het', 'in de', 'in den', 'in der',
  'op', "op 't", 'op de', 'op den', 'op der', 'op het', 'op ten',
  'uit', "uit 't", 'uit de', 'uit den', 'uit het', 'uit te de', 'uit ten',
  'aan', "aan 't", 'aan de', 'aan den', 'aan der', 'aan het',
  'bij', "bij 't", 'bij de', 'bij den', 'bij het',
  'onder', 'onder de', 'onder den', 'onder het',
  'over', "over 't", 'over de', 'over den', 'over het',
  'voor', "voor 't", 'voor de', 'voor den', 'voor het', "voor in 't",
  "d'", "l'", 'da', 'de la', 'de las', 'de le', "de l'", 'del', 'della', 'degli', 'di', 'dos', 'du', 'el', 'la', 'le', 'les',
  'von', 'von der', 'von den', 'von dem', 'vom', 'zu', 'zum', 'zur',
]);
const MAX_WORDS = 3;

const key = (words: readonly string[]): string => words.join(' ').toLowerCase().replace(/[’‘`´]/g, "'");

/** Length of the longest tussenvoegsel starting at `start` that still leaves a word before `end`. */
function tussenvoegselAt(words: readonly string[], start: number, end: number): number {
  for (let len = Math.min(MAX_WORDS, end - start - 1); len >= 1; len--) {
    if (TUSSENVOEGSELS.has(key(words.slice(start, start + len)))) return len;
  }
  return 0;
}

/** Length of the longest tussenvoegsel at the end of `words` that leaves at least one word. */
function tussenvoegselAtEnd(words: readonly string[]): number {
  for (let len = Math.min(MAX_WORDS, words.length - 1); len >= 1; len--) {
    if (TUSSENVOEGSELS.has(key(words.slice(words.length - len)))) return len;
  }
  return 0;
}

const join = (words: readonly string[]): string | undefined => (words.length ? words.join(' ') : undefined);

function name(roepnaam: readonly string[], tussenvoegsel: readonly string[], achternaam: readonly string[]): PersonName {
  const result: PersonName = { achternaam: achternaam.join(' ') };
  const given = join(roepnaam);
  const infix = join(tussenvoegsel);
  if (given) result.roepnaam = given;
  if (infix) result.tussenvoegsel = infix;
  return result;
}

/**
 * Splits a full name from a `Naam` column: "Jansen, Piet", "Berg, Anna van den",
 * "van den Berg, Anna", "Anna van den Berg". Without a comma and without a tussenvoegsel the last
 * word is the surname ("Fatima El Amrani" splits right only because "el" is listed); the comma
 * form is the one exports should use. The tussenvoegsel is kept as written ("Van den").
 */
export function splitFullName(raw: string): Parsed<PersonName> | null {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '') return null;
  const comma = text.indexOf(',');
  if (comma !== -1) {
    const surname = words(text.slice(0, comma));
    const given = words(text.slice(comma + 1));
    if (surname.length === 0) return { ok: false, reason: 'no surname before the comma' };
    const leading = tussenvoegselAt(surname, 0, surname.length);
    if (leading) return { ok: true, value: name(given, surname.slice(0, leading), surname.slice(leading)) };
    const trailing = tussenvoegselAtEnd(given);
    if (trailing) {
      const cut = given.length - trailing;
      return { ok: true, value: name(given.slice(0, cut), given.slice(cut), surname) };
    }
    const after = tussenvoegselAtEnd(surname); // "Berg van den, Anna"
    const cut = surname.length - after;
    return { ok: true, value: name(given, surname.slice(cut), surname.slice(0, cut)) };
  }
  const all = words(text);
  if (all.length === 1) return { ok: true, value: name([], [], all) };
  for (let i = 1; i < all.length - 1; i++) {
    const len = tussenvoegselAt(all, i, all.length);
    if (len) return { ok: true, value: name(all.slice(0, i), all.slice(i, i + len), all.slice(i + len)) };
  }
  return { ok: true, value: name(all.slice(0, -1), [], all.slice(-1)) };
}

function words(text: string): string[] {
  return text.split(' ').filter((w) => w !== '');
}
