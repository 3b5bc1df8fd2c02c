import { stdSerializers, type LoggerOptions } from 'pino';

/**
 * Keys whose values never reach a log line, at any of the first four levels of an object.
 * Identifiers are the legal must; names, birth dates and addresses follow because a log is
 * read by people who have no business seeing a minor's personal data.
 */
const SENSITIVE_KEYS = [
  'bsn', 'onderwijsnummer', 'identifier', 'identifiers', 'pgn',
  'birthDate', 'geboortedatum', 'givenName', 'roepnaam', 'infix', 'tussenvoegsel',
  'surname', 'achternaam', 'fullName', 'volledigeNaam', 'name', 'naam',
  'postcode', 'address', 'email', 'phone', 'authorization', 'cookie', 'password', 'secret',
];

export const redactPaths = [0, 1, 2, 3].flatMap((depth) =>
  SENSITIVE_KEYS.map((key) => [...Array<string>(depth).fill('*'), key].join('.')),
);

/**
 * A failed query's error from drizzle carries the query's parameters, in `params` and in its
 * message and stack: names, birth dates, sealed identifiers. Redaction by key cannot see inside
 * a message, so they are cut out here; the query text (no values) and the cause stay.
 */
function errorWithoutParams(error: Error): ReturnType<typeof stdSerializers.err> {
  const serialized = stdSerializers.err(error);
  // Anything else logged as `err` (a string, say) passes through as the standard serializer left it.
  if (typeof serialized !== 'object' || serialized === null || !('params' in serialized)) return serialized;
  const cut = (text: string) => text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [redacted]');
  return { ...serialized, params: '[redacted]', message: cut(serialized.message), stack: cut(serialized.stack) };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: [...redactPaths, 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    // Query strings are dropped from logged URLs: filters may carry names a caller typed.
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: req.url.split('?')[0], id: req.id }),
      err: errorWithoutParams,
    },
  };
}
