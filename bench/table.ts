import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a benchmark run found: figures against targets (a miss prints FAIL but is a finding, not
 * an error) and correctness checks (a wrong count makes the run exit non-zero: a fast wrong
 * answer must never pass as a result).
 */

export interface Figure {
  figure: string;
  value: string;
  baseline?: string;
  ratio?: number;
  target?: string;
  /** undefined: for information, no target. */
  pass?: boolean;
}

export interface Check {
  check: string;
  expected: unknown;
  actual: unknown;
  ok: boolean;
}

export class Results {
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];
  readonly details: Record<string, unknown> = {};
  readonly errors: string[] = [];

  figure(f: Figure): void {
    this.figures.push(f);
  }

  /** Records a correctness check; deep-equal on JSON, so counts per kind compare as a whole. */
  verify(check: string, actual: unknown, expected: unknown): boolean {
    const ok = JSON.stringify(sortKeys(actual)) === JSON.stringify(sortKeys(expected));
    this.checks.push({ check, expected, actual, ok });
    if (!ok) console.error(`WRONG: ${check}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    return ok;
  }

  get wrong(): boolean {
    return this.errors.length > 0 || this.checks.some((c) => !c.ok);
  }

  print(): void {
    const rows = this.figures.map((f) => [
      f.figure,
      f.value,
      f.baseline ?? '',
      f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`,
      f.target ?? '',
      f.pass === undefined ? 'info' : f.pass ? 'PASS' : 'FAIL',
    ]);
    const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'result'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
    for (const r of rows) console.log(line(r));
    const failed = this.checks.filter((c) => !c.ok);
    console.log(`\ncorrectness: ${this.checks.length - failed.length}/${this.checks.length} checks right${failed.length ? ` — WRONG: ${failed.map((c) => c.check).join('; ')}` : ''}`);
    for (const e of this.errors) console.log(`ERROR: ${e}`);
  }

  /** bench/results/<timestamp>.json and latest.json. */
  write(dir: string, meta: Record<string, unknown>): string {
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const body = JSON.stringify({ ...meta, figures: this.figures, checks: this.checks, errors: this.errors, details: this.details }, null, 2);
    const file = join(dir, `${stamp}.json`);
    writeFileSync(file, body);
    writeFileSync(join(dir, 'latest.json'), body);
    return file;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
