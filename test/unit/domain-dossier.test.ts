import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/access.js';
import {
  dossierView,
  isEditable,
  sameContent,
  visibleSections,
  type DossierContent,
  type DossierStatus,
  type Relation,
  type Section,
  type Toestemming,
} from '../../src/domain/dossier.js';

function content(toestemming: Partial<Toestemming> = {}, secretAddress = false): DossierContent {
  return {
    personalia: {
      roepnaam: 'Sam',
      achternaam: 'Testpersoon',
      geboortedatum: '2010-03-15',
      adres: { straat: 'Proefstraat', huisnummer: '1', postcode: '9999 ZZ', woonplaats: 'Testdorp', geheim: secretAddress },
    },
    schoolloopbaan: { vestiging: '11AA00', schooljaren: [{ schooljaar: '2025-2026', leerjaar: 4, leerweg: 'KB' }] },
    resultaten: { examenuitslag: 'geslaagd', diploma: true },
    ondersteuning: { behoefte: 'rustige werkplek', opp: true },
    verzuim: { geoorloofdUren: 12, ongeoorloofdUren: 30, leerplichtBetrokken: true },
    advies: { advies: 'niveau 2 BOL', contactpersoon: { naam: 'Mentor' } },
    lob: { gekozenOpleiding: 'Verkoper', crebo: '25269' },
    toestemming: {
      leerlingGezien: true,
      oudersGezien: true,
      akkoord: true,
      gedeeldeSecties: [],
      deelMetLeerplicht: { ondersteuning: false, verzuim: false },
      ...toestemming,
    },
  };
}

const ALL: Section[] = ['personalia', 'schoolloopbaan', 'resultaten', 'ondersteuning', 'verzuim', 'advies', 'lob', 'toestemming'];
const BASIC: Section[] = ['personalia', 'schoolloopbaan', 'resultaten', 'advies', 'lob'];
const OFFICER: Section[] = ['personalia', 'schoolloopbaan', 'resultaten', 'advies'];

const cases: Array<[string, Role, Relation, DossierStatus, Partial<Toestemming>, Section[]]> = [
  ['the writing school reads everything, also a concept', 'mentor', 'school', 'concept', {}, ALL],
  ['a mentor without the school relation reads nothing', 'mentor', 'none', 'definitief', {}, []],
  ['an mbo never reads a concept, even where the pupil applied', 'mbo', 'applied', 'concept', {}, []],
  ['an mbo where the pupil applied reads the basics of a definitief dossier', 'mbo', 'applied', 'definitief', {}, BASIC],
  ['an mbo reads the basics of an ontvangen dossier', 'mbo', 'applied', 'ontvangen', {}, BASIC],
  ['an mbo reads the sections the pupil chose to share', 'mbo', 'applied', 'definitief', { gedeeldeSecties: ['ondersteuning'] }, [...BASIC.slice(0, 3), 'ondersteuning', 'advies', 'lob']],
  ['without consent an mbo reads only personalia and schoolloopbaan, whatever was marked shared', 'mbo', 'applied', 'definitief', { akkoord: false, gedeeldeSecties: ['ondersteuning', 'verzuim'] }, ['personalia', 'schoolloopbaan']],
  ['an mbo where the pupil did not apply reads nothing', 'mbo', 'none', 'definitief', {}, []],
  ['an officer never reads support needs or absence by default', 'officer', 'woongemeente', 'definitief', {}, OFFICER],
  ['an officer does not read what the pupil shared with the mbo', 'officer', 'woongemeente', 'definitief', { gedeeldeSecties: ['ondersteuning', 'verzuim'] }, OFFICER],
  ['an officer reads absence when the dossier marks it shareable with leerplicht', 'officer', 'woongemeente', 'definitief', { deelMetLeerplicht: { ondersteuning: false, verzuim: true } }, [...OFFICER.slice(0, 3), 'verzuim', 'advies']],
  ['an officer outside the woongemeente reads nothing', 'officer', 'none', 'definitief', {}, []],
  ['an admin reads no content at all', 'admin', 'none', 'ontvangen', {}, []],
  ['an admin reads no content even with a relation claimed', 'admin', 'school', 'ontvangen', {}, []],
];

describe('visibleSections', () => {
  it.each(cases)('%s', (_label, role, relation, status, toestemming, expected) => {
    const access = visibleSections(role, relation, { status, content: content(toestemming) });
    expect(access.visible).toEqual(expected);
    expect(access.hidden).toEqual(ALL.filter((s) => !expected.includes(s)));
  });

  it('lists as hidden only sections the dossier actually has', () => {
    const { ondersteuning: _o, verzuim: _v, ...rest } = content();
    const access = visibleSections('officer', 'woongemeente', { status: 'definitief', content: rest });
    expect(access.hidden).toEqual(['lob', 'toestemming']);
  });

  it('allows a secret address only to the writing school', () => {
    expect(visibleSections('mentor', 'school', { status: 'concept', content: content() }).secretAddress).toBe(true);
    for (const [role, relation] of [['mbo', 'applied'], ['officer', 'woongemeente'], ['admin', 'none']] as const) {
      expect(visibleSections(role, relation, { status: 'definitief', content: content() }).secretAddress).toBe(false);
    }
  });
});

describe('dossierView', () => {
  it('leaves hidden sections out and names them', () => {
    const view = dossierView('officer', 'woongemeente', { status: 'definitief', content: content() });
    expect(Object.keys(view.sections)).toEqual(OFFICER);
    expect(view.hiddenSections).toEqual(['ondersteuning', 'verzuim', 'lob', 'toestemming']);
  });

  it('removes a secret address for everyone but the school', () => {
    const secret = content({}, true);
    expect(dossierView('mbo', 'applied', { status: 'definitief', content: secret }).sections.personalia).not.toHaveProperty('adres');
    expect(dossierView('officer', 'woongemeente', { status: 'definitief', content: secret }).sections.personalia).not.toHaveProperty('adres');
    expect(dossierView('mentor', 'school', { status: 'definitief', content: secret }).sections.personalia?.adres?.straat).toBe('Proefstraat');
  });

  it('keeps an address that is not secret for the mbo', () => {
    const view = dossierView('mbo', 'applied', { status: 'definitief', content: content() });
    expect(view.sections.personalia?.adres?.woonplaats).toBe('Testdorp');
  });

  it('gives an admin metadata only: no sections', () => {
    const view = dossierView('admin', 'none', { status: 'ontvangen', content: content() });
    expect(view.sections).toEqual({});
    expect(view.hiddenSections).toEqual(ALL);
  });
});

describe('isEditable', () => {
  it.each([
    ['concept', true],
    ['definitief', true],
    ['ontvangen', false],
  ] as const)('a %s dossier is editable: %s', (status, expected) => {
    expect(isEditable(status)).toBe(expected);
  });
});

describe('sameContent', () => {
  it('ignores key order and absent optional fields', () => {
    expect(sameContent({ a: 1, b: { c: [1, 2], d: undefined } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
  });

  it('sees a changed value or array order', () => {
    expect(sameContent({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameContent({ a: 'x' }, { a: 'y' })).toBe(false);
  });
});
