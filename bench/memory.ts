import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildMessage, ChildStart } from './child.js';

/**
 * The processes under test and their memory. Each API, worker or ceiling server is a child
 * process (bench/child.ts) with its own heap, so the worker's peak RSS is the worker's alone:
 * read from /proc/<pid>/status (VmHWM, the kernel's high-water mark, and VmRSS sampled over
 * time), with the child's own process.resourceUsage().maxRSS as a cross-check.
 */

export interface ProcMemory {
  rssKb: number;
  hwmKb: number;
}

export function procMemory(pid: number): ProcMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return null; // not Linux, or the process is gone
  }
}

export interface RunningChild {
  pid: number;
  port: number | undefined;
  /** The child's own view: peak RSS (resourceUsage().maxRSS), current RSS and heap. */
  usage(): Promise<{ maxRssKb: number; rssKb: number; heapUsedKb: number; cpuMs: number }>;
  /** The next message carrying this key (call it before causing the message). */
  waitFor<K extends string>(key: K): Promise<Extract<ChildMessage, Record<K, unknown>>>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Write a V8 CPU profile of the child into this directory (node --cpu-prof). */
  cpuProfDir?: string;
  /** More node flags for the child, e.g. V8 heap settings to try. */
  nodeFlags?: string[];
}

/**
 * The worker's V8 heap as production runs it (NODE_OPTIONS of the worker service in
 * docker-compose.yml, `npm run start:worker`): the old generation capped well above an import's
 * live heap (~50 MB), so V8 collects before RSS drifts up, and a small young generation.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

export async function spawnChild(start: ChildStart, options: SpawnOptions = {}): Promise<RunningChild> {
  const execArgv = [
    '--import', 'tsx',
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
    ...(start.mode === 'worker' ? WORKER_NODE_FLAGS : []),
    ...(options.nodeFlags ?? []), // last: a flag given here wins
  ];
  const child: ChildProcess = fork(join(import.meta.dirname, 'child.ts'), [start.mode], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.setMaxListeners(100);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = <K extends string>(key: K) =>
    new Promise<Extract<ChildMessage, Record<K, unknown>>>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if ('error' in message) reject(new Error(`${start.mode} process failed: ${message.error}`));
        else if (key in message) resolve(message as Extract<ChildMessage, Record<K, unknown>>);
        else return;
        child.off('message', onMessage);
      };
      child.on('message', onMessage);
      void exited.then((code) => reject(new Error(`${start.mode} process exited (code ${code}) before answering`)));
    });
  const ready = next('ready');
  child.send(start);
  const { port } = await ready;
  return {
    pid: child.pid!,
    port,
    waitFor: next,
    async usage() {
      const answer = next('usage');
      child.send({ usage: true });
      return (await answer).usage;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ stop: true });
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** VmRSS of a process sampled every few hundred milliseconds, for the peak and the shape of the curve. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  readonly samples: Array<{ ms: number; rssKb: number }> = [];
  private readonly started = performance.now();

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    const sample = () => {
      const memory = procMemory(this.pid);
      if (memory) this.samples.push({ ms: Math.round(performance.now() - this.started), rssKb: memory.rssKb });
    };
    sample();
    this.timer = setInterval(sample, this.intervalMs);
    return this;
  }

  stop(): { peakKb: number; hwmKb: number | null } {
    clearInterval(this.timer);
    const memory = procMemory(this.pid);
    const peakKb = Math.max(0, ...this.samples.map((s) => s.rssKb), memory?.rssKb ?? 0);
    return { peakKb, hwmKb: memory?.hwmKb ?? null };
  }

  /** About twenty evenly spaced samples, in MB: enough to see whether the curve is flat. */
  curve(points = 20): Array<[number, number]> {
    const step = Math.max(1, Math.floor(this.samples.length / points));
    return this.samples.filter((_, i) => i % step === 0).map((s) => [s.ms, Math.round(s.rssKb / 1024)]);
  }
}
