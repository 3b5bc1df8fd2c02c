import { z } from 'zod';
import { dossierSections, dossierStatuses, examenuitslagen, shareableSections, vmboLeerwegen } from '../domain/dossier.js';
import { VESTIGING_PATTERN } from '../domain/organisations.js';
import { IsoDate } from './schemas.js';

/**
 * The overdrachtsdossier on the wire, after the OSO overstapdossier. Section names are Dutch
 * because they are the domain's terms. Bodies are strict: a field we do not know is a mistake
 * in the sending system, not something to store silently.
 */

const text = (max = 200) => z.string().trim().min(1).max(max);
const SchoolYear = z.string().regex(/^\d{4}-\d{4}$/).describe('e.g. 2024-2025');

const Adres = z
  .object({
    straat: text(),
    huisnummer: text(20),
    postcode: text(20),
    woonplaats: text(),
    geheim: z.boolean().optional().describe('A secret address is shown to nobody but the writing school'),
  })
  .strict();

const Contact = z
  .object({ naam: text(), relatie: text(50).optional(), telefoon: text(30).optional(), email: z.email().optional() })
  .strict();

const Personalia = z
  .object({
    roepnaam: text(100),
    tussenvoegsel: text(30).optional(),
    achternaam: text(),
    geboortedatum: IsoDate,
    adres: Adres.optional(),
    telefoon: text(30).optional(),
    email: z.email().optional(),
    ouders: z.array(Contact).max(4).optional(),
  })
  .strict();

const Schoolloopbaan = z
  .object({
    vestiging: z.string().regex(VESTIGING_PATTERN).describe('BRIN + 2 digits, e.g. 12AB00'),
    schooljaren: z
      .array(
        z
          .object({ schooljaar: SchoolYear, leerjaar: z.number().int().min(1).max(6), leerweg: z.enum(vmboLeerwegen), profiel: text(100).optional() })
          .strict(),
      )
      .min(1)
      .max(10),
    bijzonderheden: text(2000).optional(),
  })
  .strict();

const Resultaten = z
  .object({
    examenuitslag: z.enum(examenuitslagen).optional(),
    vakken: z.array(z.object({ vak: text(100), cijfer: z.number().min(1).max(10) }).strict()).max(30).optional(),
    diploma: z.boolean().optional(),
  })
  .strict();

const Ondersteuning = z
  .object({
    behoefte: text(4000).optional(),
    arrangementen: z.array(text()).max(20).optional(),
    opp: z.boolean().optional().describe('Whether the pupil had an ontwikkelingsperspectiefplan'),
  })
  .strict();

const Verzuim = z
  .object({
    geoorloofdUren: z.number().min(0).max(10_000).optional(),
    ongeoorloofdUren: z.number().min(0).max(10_000).optional(),
    leerplichtBetrokken: z.boolean().optional(),
    rmcMelding: z.boolean().optional(),
  })
  .strict();

const Advies = z
  .object({
    advies: text(2000),
    onderbouwing: text(4000).optional(),
    contactpersoon: z.object({ naam: text(), email: z.email().optional(), telefoon: text(30).optional() }).strict(),
  })
  .strict();

const Lob = z
  .object({
    gekozenOpleiding: text().optional(),
    crebo: z.string().regex(/^\d{5}$/).optional(),
    stages: z
      .array(z.object({ organisatie: text(), periode: text(50).optional(), omschrijving: text(1000).optional() }).strict())
      .max(20)
      .optional(),
  })
  .strict();

const Toestemming = z
  .object({
    leerlingGezien: z.boolean(),
    oudersGezien: z.boolean(),
    akkoord: z.boolean(),
    redenGeenAkkoord: text(2000).optional(),
    gedeeldeSecties: z
      .array(z.enum(shareableSections))
      .max(shareableSections.length)
      .default([])
      .describe('Sections the mbo may read beyond the basics, when akkoord'),
    deelMetLeerplicht: z
      .object({ ondersteuning: z.boolean().default(false), verzuim: z.boolean().default(false) })
      .strict()
      .default({ ondersteuning: false, verzuim: false })
      .describe('Whether the leerplicht/RMC officer may read support needs or absence'),
  })
  .strict()
  .refine((t) => t.akkoord || t.redenGeenAkkoord, { path: ['redenGeenAkkoord'], message: 'give the reason when there is no agreement' });

const contentShape = {
  personalia: Personalia,
  schoolloopbaan: Schoolloopbaan,
  resultaten: Resultaten.optional(),
  ondersteuning: Ondersteuning.optional(),
  verzuim: Verzuim.optional(),
  advies: Advies,
  lob: Lob.optional(),
  toestemming: Toestemming,
};

export const DossierContent = z.object(contentShape).strict().meta({ id: 'DossierContent' });

/** The pupil the dossier is about. The number is only used to find the pupil, never stored. */
export const PupilRef = z.union([
  z.object({ bsn: z.string().max(20) }).strict(),
  z.object({ onderwijsnummer: z.string().max(20) }).strict(),
  z.object({ pupilId: z.uuid() }).strict(),
]);

export const DossierInput = z
  .object({ pupil: PupilRef, ...contentShape })
  .strict()
  .meta({ id: 'NewDossier' });
export type DossierInput = z.infer<typeof DossierInput>;

const Time = z.iso.datetime();

export const Receipt = z
  .object({
    dossierId: z.uuid(),
    version: z.number().int(),
    receivedAt: Time,
    receivedBy: z.string().describe('The person (token subject) who confirmed receipt'),
    receivedOrg: z.string().describe('The mbo (BRIN) that confirmed receipt'),
  })
  .meta({ id: 'DossierReceipt' });

export const DossierMeta = z
  .object({
    id: z.uuid(),
    pupilId: z.uuid(),
    schoolCode: z.string(),
    status: z.enum(dossierStatuses),
    version: z.number().int(),
    finalisedAt: Time.nullable(),
    receipt: Receipt.omit({ dossierId: true, version: true }).nullable(),
    createdAt: Time,
    updatedAt: Time,
  })
  .meta({ id: 'DossierMeta' });

export const Dossier = DossierMeta.extend({
  sections: z.object(contentShape).partial().describe('Only the sections the caller may read'),
  hiddenSections: z.array(z.enum(dossierSections)).describe('Sections the dossier has that the caller may not read'),
}).meta({ id: 'Dossier' });

export const DossierVersion = z
  .object({ version: z.number().int(), status: z.enum(dossierStatuses), createdAt: Time, createdBy: z.string() })
  .meta({ id: 'DossierVersion' });
