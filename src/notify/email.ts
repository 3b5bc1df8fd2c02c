import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { signalKinds } from '../db/schema.js';
import { isGemeentecode } from '../domain/organisations.js';

/**
 * The e-mail digest: counts and links only. Mail leaves our control (mail servers, forwarding,
 * phones), so it never carries a pupil's name, number or birth date; whoever reads it logs in
 * to see the signals themselves.
 */

export interface KindCounts {
  kind: string;
  open: number;
  inBehandeling: number;
  opened: number;
  closed: number;
}

export interface DigestPayload {
  type: 'digest';
  checkRunId: string;
  asOf: string;
  orgCode: string;
  counts: KindCounts[];
}

export class MailNotConfigured extends Error {}

const KIND_LABEL: Record<(typeof signalKinds)[number], string> = {
  niet_aangemeld: 'niet aangemeld',
  niet_geplaatst: 'niet geplaatst',
  niet_gestart: 'niet gestart',
  uitgevallen: 'uitgevallen',
};

export function signalsLink(publicUrl: string, params: Record<string, string>): string {
  const url = new URL('/v1/signals', publicUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** Subject and text of one organisation's digest, from counts alone. */
export function renderDigest(publicUrl: string, d: DigestPayload): { subject: string; text: string } {
  const byKind = new Map(d.counts.map((c) => [c.kind, c]));
  const rows = signalKinds.map((kind) => byKind.get(kind) ?? { kind, open: 0, inBehandeling: 0, opened: 0, closed: 0 });
  const sum = (f: keyof Omit<KindCounts, 'kind'>) => rows.reduce((n, r) => n + r[f], 0);
  const open = sum('open') + sum('inBehandeling');
  // A region officer may subscribe for one of its gemeenten: the links then filter on it.
  const scope: Record<string, string> = isGemeentecode(d.orgCode) ? { gemeente: d.orgCode } : {};
  const lines = [
    `Controle van ${d.asOf} voor ${d.orgCode}.`,
    '',
    `Nieuw of heropend: ${sum('opened')}. Vanzelf gesloten: ${sum('closed')}. Nog niet afgesloten: ${open}.`,
    '',
    ...rows.map(
      (r) =>
        `- ${KIND_LABEL[r.kind as keyof typeof KIND_LABEL] ?? r.kind}: ${r.open} open, ${r.inBehandeling} in behandeling, ` +
        `${r.opened} nieuw, ${r.closed} gesloten: ${signalsLink(publicUrl, { status: 'open', kind: r.kind, ...scope })}`,
    ),
    '',
    `Alle open signalen: ${signalsLink(publicUrl, { status: 'open', ...scope })}`,
    '',
    'Deze e-mail bevat bewust geen namen of nummers van leerlingen. Log in om de signalen te bekijken.',
  ];
  return { subject: `Doorstroom: ${sum('opened')} nieuwe signalen, ${open} open (${d.orgCode}, ${d.asOf})`, text: lines.join('\n') };
}

/** Sends one mail over SMTP_URL. A transport per mail: digests are a few per night. */
export async function sendMail(config: Config, to: string, message: { subject: string; text: string }): Promise<void> {
  if (!config.mail.smtpUrl) throw new MailNotConfigured('SMTP_URL is not set');
  const transport = nodemailer.createTransport(config.mail.smtpUrl, { from: config.mail.from });
  try {
    await transport.sendMail({ to, subject: message.subject, text: message.text });
  } finally {
    transport.close();
  }
}
