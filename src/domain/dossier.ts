/**
 * The overdrachtsdossier (after the OSO overstapdossier) as plain data, and the one rule for
 * which of its sections a caller sees. Access is per section, not all or nothing: the mbo
 * reads what the pupil consented to, an officer never reads support needs or absence unless the
 * dossier says the law gives a reason, and an admin manages dossiers without reading them.
 * No I/O and no zod here: the HTTP layer validates, this decides.
 */
import type { Role } from './access.js';

export const dossierSections = [
  'personalia', 'schoolloopbaan', 'resultaten', 'ondersteuning', 'verzuim', 'advies', 'lob', 'toestemming',
] as const;
export type Section = (typeof dossierSections)[number];

/** What the receiving mbo reads once the pupil agreed; without agreement only who and where from. */
export const basicSections = ['personalia', 'schoolloopbaan', 'resultaten', 'advies', 'lob'] as const satisfies readonly Section[];
const withoutConsent = ['personalia', 'schoolloopbaan'] as const satisfies readonly Section[];
/** Sections the pupil and parents may choose to share with the mbo beyond the basics. */
export const shareableSections = ['ondersteuning', 'verzuim'] as const satisfies readonly Section[];
export type ShareableSection = (typeof shareableSections)[number];
/** An officer's view: status and contact details, the school's story and advice; never more by default. */
const officerSections = ['personalia', 'schoolloopbaan', 'resultaten', 'advies'] as const satisfies readonly Section[];

export const dossierStatuses = ['concept', 'definitief', 'ontvangen'] as const;
export type DossierStatus = (typeof dossierStatuses)[number];

export const vmboLeerwegen = ['BB', 'KB', 'GL', 'TL', 'GT'] as const;
export const examenuitslagen = ['geslaagd', 'gezakt', 'teruggetrokken', 'onbekend'] as const;

export interface Adres {
  straat: string;
  huisnummer: string;
  postcode: string;
  woonplaats: string;
  /** A secret address (e.g. a shelter) is shown to nobody but the school that wrote the dossier. */
  geheim?: boolean;
}

export interface Contact {
  naam: string;
  relatie?: string;
  telefoon?: string;
  email?: string;
}

export interface Personalia {
  roepnaam: string;
  tussenvoegsel?: string;
  achternaam: string;
  geboortedatum: string;
  adres?: Adres;
  telefoon?: string;
  email?: string;
  ouders?: Contact[];
}

export interface Schoolloopbaan {
  vestiging: string;
  schooljaren: Array<{ schooljaar: string; leerjaar: number; leerweg: (typeof vmboLeerwegen)[number]; profiel?: string }>;
  bijzonderheden?: string;
}

export interface Resultaten {
  examenuitslag?: (typeof examenuitslagen)[number];
  vakken?: Array<{ vak: string; cijfer: number }>;
  diploma?: boolean;
}

export interface Ondersteuning {
  behoefte?: string;
  arrangementen?: string[];
  /** Whether the pupil had an ontwikkelingsperspectiefplan. */
  opp?: boolean;
}

export interface Verzuim {
  geoorloofdUren?: number;
  ongeoorloofdUren?: number;
  leerplichtBetrokken?: boolean;
  rmcMelding?: boolean;
}

export interface Advies {
  advies: string;
  onderbouwing?: string;
  contactpersoon: Omit<Contact, 'relatie'>;
}

export interface Lob {
  gekozenOpleiding?: string;
  crebo?: string;
  stages?: Array<{ organisatie: string; periode?: string; omschrijving?: string }>;
}

export interface Toestemming {
  leerlingGezien: boolean;
  oudersGezien: boolean;
  akkoord: boolean;
  redenGeenAkkoord?: string;
  gedeeldeSecties: ShareableSection[];
  /** Whether the officer may read support needs / absence (a legal ground, not the pupil's choice). */
  deelMetLeerplicht: { ondersteuning: boolean; verzuim: boolean };
}

export interface DossierContent {
  personalia: Personalia;
  schoolloopbaan: Schoolloopbaan;
  resultaten?: Resultaten;
  ondersteuning?: Ondersteuning;
  verzuim?: Verzuim;
  advies: Advies;
  lob?: Lob;
  toestemming: Toestemming;
}

/**
 * How the caller stands to the pupil of the dossier: the school that wrote it, an mbo where the
 * pupil applied or enrolled, the officer of the pupil's woongemeente (or its region), or none.
 */
export type Relation = 'school' | 'applied' | 'woongemeente' | 'none';

export interface SectionAccess {
  /** Sections the caller reads, in dossier order. */
  visible: Section[];
  /** Sections the dossier has that the caller does not read. */
  hidden: Section[];
  /** Whether an address marked geheim may be shown. */
  secretAddress: boolean;
}

export interface DossierForAccess {
  status: DossierStatus;
  content: DossierContent;
}

function allowedSections(role: Role, relation: Relation, { status, content }: DossierForAccess): readonly Section[] {
  if (role === 'mentor' && relation === 'school') return dossierSections;
  if (role === 'mbo' && relation === 'applied') {
    // Before finalising it is the school's draft; the mbo must never read it early.
    if (status === 'concept') return [];
    const { akkoord, gedeeldeSecties } = content.toestemming;
    return akkoord ? [...basicSections, ...gedeeldeSecties] : withoutConsent;
  }
  if (role === 'officer' && relation === 'woongemeente') {
    const { deelMetLeerplicht } = content.toestemming;
    return [
      ...officerSections,
      ...shareableSections.filter((s) => deelMetLeerplicht[s]),
    ];
  }
  // Admins manage dossiers, they do not read files about children; any other pairing reads nothing.
  return [];
}

/** Which sections of this dossier the caller sees, as plain data. */
export function visibleSections(role: Role, relation: Relation, dossier: DossierForAccess): SectionAccess {
  const allowed = new Set(allowedSections(role, relation, dossier));
  const present = dossierSections.filter((s) => dossier.content[s] !== undefined);
  return {
    visible: present.filter((s) => allowed.has(s)),
    hidden: present.filter((s) => !allowed.has(s)),
    secretAddress: role === 'mentor' && relation === 'school',
  };
}

export interface DossierView {
  sections: Partial<DossierContent>;
  hiddenSections: Section[];
}

/** The dossier as this caller may read it: hidden sections left out, a secret address removed. */
export function dossierView(role: Role, relation: Relation, dossier: DossierForAccess): DossierView {
  const access = visibleSections(role, relation, dossier);
  const sections: Partial<DossierContent> = {};
  for (const section of access.visible) Object.assign(sections, { [section]: dossier.content[section] });
  const personalia = sections.personalia;
  if (personalia?.adres?.geheim && !access.secretAddress) {
    const { adres: _secret, ...rest } = personalia;
    sections.personalia = rest;
  }
  return { sections, hiddenSections: access.hidden };
}

/** Corrections are allowed until the mbo confirmed receipt; after that the handover is history. */
export function isEditable(status: DossierStatus): boolean {
  return status !== 'ontvangen';
}

/** Whether two contents say the same (key order does not count): an unchanged resend is no new version. */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
