import { parseArgs } from 'node:util';
import { createSigner } from 'fast-jwt';
import { loadConfig } from '../src/config.js';
import { roles, type Role } from '../src/http/plugins/auth.js';

/**
 * `npm run token -- --role officer --org GM0363 [--sub name] [--ttl 8h]`
 * Mints a development token with JWT_SECRET (HS256). Production tokens come from the identity provider.
 */
export function mintToken(secret: string, claims: { sub: string; role: Role; org: string }, ttl = '8h'): string {
  const [, amount, unit] = /^(\d+)([smhd]?)$/.exec(ttl) ?? [];
  if (!amount) throw new Error('ttl must look like 3600, 30m, 8h or 7d');
  const unitMs = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit ?? ''] ?? 1000;
  return createSigner({ key: secret, algorithm: 'HS256', expiresIn: Number(amount) * unitMs })(claims);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { role: { type: 'string' }, org: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string', default: '8h' } },
  });
  const config = loadConfig();
  if (config.jwt.algorithm !== 'HS256') throw new Error('npm run token needs JWT_SECRET (HS256, development only)');
  if (!values.role || !roles.includes(values.role as Role) || !values.org) {
    console.error(`usage: npm run token -- --role ${roles.join('|')} --org CODE [--sub NAME] [--ttl 8h]`);
    process.exit(2);
  }
  console.log(mintToken(config.jwt.secret, { sub: values.sub ?? `dev-${values.role}`, role: values.role as Role, org: values.org }, values.ttl));
}
