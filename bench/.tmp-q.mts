import pg from 'pg';
import { readFileSync } from 'node:fs';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/doorstroom_reportbench' });
await c.connect();
await c.query("set jit = off; set work_mem = '64MB'");
const pid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid;
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const files = process.argv.slice(2);
const tot: Record<string, number> = {};
for (const f of files) await c.query(readFileSync(f, 'utf8'));
for (let r = 0; r < 4; r++) for (const f of files) { const c0 = cpu(); await c.query(readFileSync(f, 'utf8')); tot[f] = (tot[f] ?? 0) + cpu() - c0; }
for (const f of files) console.log(f, 'pg cpu ms/run', tot[f]! / 4);
await c.end();
