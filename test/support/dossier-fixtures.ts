import { enrolments, vvaStatuses } from '../../src/db/schema.js';
import type { Services } from '../../src/services.js';

type Json = Record<string, unknown>;

/** A complete, valid dossier body for a pupil; sections can be replaced or removed (undefined). */
export function dossierBody(pupil: Json, overrides: Json = {}): Json {
  return {
    pupil,
    personalia: {
      roepnaam: 'Sam',
      achternaam: 'Testpersoon',
      geboortedatum: '2010-03-15',
      adres: { straat: 'Proefstraat', huisnummer: '1', postcode: '9999 ZZ', woonplaats: 'Testdorp' },
      ouders: [{ naam: 'Ouder Testpersoon', relatie: 'moeder', telefoon: '0600000000' }],
    },
    schoolloopbaan: { vestiging: '11AA00', schooljaren: [{ schooljaar: '2025-2026', leerjaar: 4, leerweg: 'KB', profiel: 'Economie en ondernemen' }] },
    resultaten: { examenuitslag: 'geslaagd', diploma: true, vakken: [{ vak: 'Nederlands', cijfer: 6.8 }] },
    ondersteuning: { behoefte: 'extra tijd bij toetsen', arrangementen: ['dyslexie'], opp: false },
    verzuim: { geoorloofdUren: 10, ongeoorloofdUren: 24, leerplichtBetrokken: true, rmcMelding: false },
    advies: { advies: 'Niveau 2 BOL past goed', onderbouwing: 'Werkt zelfstandig', contactpersoon: { naam: 'Mentor De Brug', email: 'mentor@example.invalid' } },
    lob: { gekozenOpleiding: 'Verkoper', crebo: '25269', stages: [{ organisatie: 'Winkel BV', periode: 'voorjaar 2026' }] },
    toestemming: { leerlingGezien: true, oudersGezien: true, akkoord: true },
    ...overrides,
  };
}

/** An application or enrolment row, inserted directly (the enrolment API is another part's). */
export async function enrol(
  services: Services,
  pupilId: string,
  mboBrin: string,
  status: (typeof vvaStatuses)[number] = 'aangemeld',
  crebo = '25269',
): Promise<string> {
  const [row] = await services.database.db
    .insert(enrolments)
    .values({ pupilId, mboBrin, crebo, status, niveau: 2, leerweg: 'BOL', appliedOn: '2026-03-01' })
    .returning({ id: enrolments.id });
  return row!.id;
}
