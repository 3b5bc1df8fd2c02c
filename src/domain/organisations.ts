/**
 * Codes of the organisations in the chain: vmbo schools and mbo colleges (BRIN, vestiging),
 * municipalities (CBS gemeentecode) and RMC regions / Doorstroompunten (RMC01..RMC39).
 * Every authorisation decision keys on these strings, so they are validated strictly here and
 * nowhere else re-parsed by hand.
 */

/** School board code as DUO issues it, e.g. `12AB`. */
export const BRIN_PATTERN = /^\d{2}[A-Z]{2}$/;
/** A location of a school: its BRIN plus two digits, e.g. `12AB00`. */
export const VESTIGING_PATTERN = /^\d{2}[A-Z]{2}\d{2}$/;
/** CBS municipality code, e.g. `GM0363` (Amsterdam). */
export const GEMEENTECODE_PATTERN = /^GM\d{4}$/;
/** RMC region code; the number must also lie in 1..39 (see isRmcRegion). */
export const RMC_REGION_PATTERN = /^RMC\d{2}$/;

export const RMC_REGION_COUNT = 39;

export type OrgKind = 'brin' | 'vestiging' | 'gemeente' | 'region';

export function isBrin(code: string): boolean {
  return BRIN_PATTERN.test(code);
}

export function isVestiging(code: string): boolean {
  return VESTIGING_PATTERN.test(code);
}

export function isGemeentecode(code: string): boolean {
  return GEMEENTECODE_PATTERN.test(code);
}

/** `RMC00` and `RMC40`..`RMC99` match the pattern but are no region. */
export function isRmcRegion(code: string): boolean {
  if (!RMC_REGION_PATTERN.test(code)) return false;
  const n = Number(code.slice(3));
  return n >= 1 && n <= RMC_REGION_COUNT;
}

/** `RMC07` for region 7; null for a number outside 1..39. */
export function rmcRegionCode(regionNumber: number): string | null {
  if (!Number.isInteger(regionNumber) || regionNumber < 1 || regionNumber > RMC_REGION_COUNT) return null;
  return `RMC${String(regionNumber).padStart(2, '0')}`;
}

/** 7 for `RMC07`; null when the code is not a region. */
export function rmcRegionNumber(code: string): number | null {
  return isRmcRegion(code) ? Number(code.slice(3)) : null;
}

/**
 * The BRIN a code belongs to: a mentor's org is a vestiging, while mbo intake and DUO data
 * speak BRIN, so comparisons between them go through this. Null for anything else.
 */
export function brinOf(code: string): string | null {
  if (isBrin(code)) return code;
  if (isVestiging(code)) return code.slice(0, 4);
  return null;
}

export function orgKind(code: string): OrgKind | null {
  if (isBrin(code)) return 'brin';
  if (isVestiging(code)) return 'vestiging';
  if (isGemeentecode(code)) return 'gemeente';
  if (isRmcRegion(code)) return 'region';
  return null;
}

/**
 * Exports write the municipality as `GM0363`, `gm0363`, `0363` or even `363` (a spreadsheet
 * dropped the leading zero). All become `GM0363`. Code 0 exists for no municipality, so it is
 * rejected rather than turned into `GM0000`. A municipality name is not a code: null.
 */
export function normaliseGemeentecode(raw: string): string | null {
  const match = /^(?:GM)?(\d{1,4})$/i.exec(raw.replace(/\s+/g, ''));
  if (!match) return null;
  const digits = match[1]!.padStart(4, '0');
  return digits === '0000' ? null : `GM${digits}`;
}
