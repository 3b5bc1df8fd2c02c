import { describe, expect, it } from 'vitest';
import { columnProblemError, matchColumns } from '../../src/imports/columns.js';
import { ImportFileError } from '../../src/imports/errors.js';

describe('matchColumns', () => {
  it('matches Magister-style headers case-, space- and punctuation-insensitively', () => {
    const headers = ['Stamnr.', 'BURGERSERVICENUMMER', 'Roepnaam', 'Tussenv.', 'Achternaam', 'Geb. datum', 'Postcode', 'Plaats', 'Woongemeente', 'Stamgroep', 'Niveau', 'Sector', 'Uitslag', 'Vervolgopleiding', 'Brin vestiging', 'Mentor'];
    const match = matchColumns(headers, 'leerlingen');
    expect(match.ok).toBe(true);
    if (!match.ok) return;
    expect(Object.fromEntries(Object.entries(match.columns).map(([field, column]) => [field, column.header]))).toEqual({
      leerlingnummer: 'Stamnr.',
      bsn: 'BURGERSERVICENUMMER',
      roepnaam: 'Roepnaam',
      tussenvoegsel: 'Tussenv.',
      achternaam: 'Achternaam',
      geboortedatum: 'Geb. datum',
      postcode: 'Postcode',
      woonplaats: 'Plaats',
      gemeente: 'Woongemeente',
      klas: 'Stamgroep',
      leerweg: 'Niveau', // in a pupil export, Niveau is the vmbo leerweg
      profiel: 'Sector',
      uitslag: 'Uitslag',
      bestemming: 'Vervolgopleiding',
      vestiging: 'Brin vestiging',
    });
    expect(match.columns.geboortedatum).toEqual({ index: 5, header: 'Geb. datum' });
    expect(match.ignored).toEqual(['Mentor']);
  });

  it('reads Niveau as the mbo level in an enrolment file', () => {
    const match = matchColumns(['PGN', 'Instelling', 'Crebocode', 'Niveau', 'BOL/BBL', 'VVA status', 'Datum aanmelding', 'Begindatum', 'Datum uitschrijving', 'Datum status'], 'inschrijvingen');
    expect(match.ok).toBe(true);
    if (!match.ok) return;
    expect(Object.keys(match.columns).sort()).toEqual(
      ['aanmelddatum', 'bsn', 'brin', 'crebo', 'einddatum', 'leerweg', 'niveau', 'startdatum', 'status', 'statusdatum'].sort(),
    );
    expect(match.columns.niveau?.header).toBe('Niveau');
    expect(match.columns.leerweg?.header).toBe('BOL/BBL');
  });

  it('prefers the more specific alias when two columns match one field', () => {
    const match = matchColumns(['OWN', 'Plaats', 'Woonplaats', 'Achternaam', 'Geboortedatum'], 'leerlingen');
    expect(match.ok && match.columns.woonplaats?.header).toBe('Woonplaats');
    expect(match.ok && match.ignored).toEqual(['Plaats']);
  });

  it('requires an identifier column', () => {
    const match = matchColumns(['Naam', 'Geboortedatum', 'Klas'], 'leerlingen');
    expect(match).toEqual({ ok: false, problem: { reason: 'no_identifier_column', missing: ['bsn|onderwijsnummer'], unknownMapping: [] } });
    if (!match.ok) {
      const error = columnProblemError(match.problem);
      expect(error).toBeInstanceOf(ImportFileError);
      expect(error.code).toBe('no_identifier_column');
    }
  });

  it('requires the columns every row needs', () => {
    expect(matchColumns(['BSN', 'Klas'], 'leerlingen')).toEqual({
      ok: false,
      problem: { reason: 'missing_columns', missing: ['achternaam|volledigeNaam', 'geboortedatum'], unknownMapping: [] },
    });
    expect(matchColumns(['BSN', 'BRIN'], 'inschrijvingen')).toMatchObject({ ok: false, problem: { missing: ['crebo', 'status'] } });
  });

  it('lets an explicit mapping override the aliases', () => {
    const headers = ['Nummer', 'Familienaam', 'Naam', 'Geboren', 'Klas', 'Groep'];
    const match = matchColumns(headers, 'leerlingen', {
      bsn: 'Nummer',
      achternaam: 'familienaam', // normalised match when unambiguous
      roepnaam: 'Naam', // claims a column the aliases would give to volledigeNaam
      geboortedatum: 'Geboren',
      klas: 'Groep',
    });
    expect(match.ok).toBe(true);
    if (!match.ok) return;
    expect(match.columns.bsn).toEqual({ index: 0, header: 'Nummer' });
    expect(match.columns.achternaam?.header).toBe('Familienaam');
    expect(match.columns.roepnaam?.header).toBe('Naam');
    expect(match.columns.volledigeNaam).toBeUndefined();
    expect(match.columns.klas?.header).toBe('Groep');
    expect(match.ignored).toEqual(['Klas']);
  });

  it('lets a mapping to null switch a column off', () => {
    const match = matchColumns(['BSN', 'Achternaam', 'Geboortedatum', 'Klas'], 'leerlingen', { klas: null });
    expect(match.ok && match.columns.klas).toBeUndefined();
    expect(match.ok && match.ignored).toEqual(['Klas']);
  });

  it('reports mappings to unknown fields and to headers that are not in the file', () => {
    const match = matchColumns(['BSN', 'Achternaam', 'Geboortedatum'], 'leerlingen', { schoenmaat: 'BSN', klas: 'Klas 2025' });
    expect(match).toEqual({ ok: false, problem: { reason: 'unknown_mapping', missing: [], unknownMapping: ['schoenmaat', 'klas'] } });
    // An mbo field is not a pupil field.
    expect(matchColumns(['BSN', 'Achternaam', 'Geboortedatum'], 'leerlingen', { crebo: 'BSN' })).toMatchObject({
      ok: false,
      problem: { unknownMapping: ['crebo'] },
    });
  });
});
