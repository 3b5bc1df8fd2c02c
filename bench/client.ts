import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The benchmark talks to the API the way a school, an mbo or an officer does: over HTTP to a
 * listening server, with a bearer token. A failed call throws with the status and the problem
 * body, because a benchmark that carries on after a failure reports a fast wrong answer.
 */

export class Api {
  constructor(
    readonly base: string,
    private readonly tokens: { admin: string },
  ) {}

  async call<T>(method: string, path: string, init: { token?: string; body?: unknown; expect?: number[] } = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        authorization: `Bearer ${init.token ?? this.tokens.admin}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : null) as T;
    if (init.expect && !init.expect.includes(res.status)) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return { status: res.status, body };
  }

  /** POST /v1/imports with the form fields first, then the file streamed from disk. */
  async upload(file: string, fields: Record<string, string>): Promise<string> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    form.set('file', await openAsBlob(file, { type: 'text/csv' }), basename(file));
    const res = await fetch(`${this.base}/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${this.tokens.admin}` }, body: form });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`upload of ${basename(file)}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return (JSON.parse(text) as { id: string }).id;
  }

  /** Polls GET /v1/imports/:id until the import is done or failed. */
  async waitForImport(id: string, timeoutMs: number, onPoll?: () => void): Promise<ImportView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.call<ImportView>('GET', `/v1/imports/${id}`, { expect: [200] });
      onPoll?.();
      if (body.status === 'done' || body.status === 'failed') return body;
      if (Date.now() > deadline) throw new Error(`import ${id} still ${body.status} after ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}

export interface ImportView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  counts: { rows: number; created: number; updated: number; unchanged: number; rejected: number };
  warnings: Record<string, number> | null;
  problem: { detail?: string } | null;
  startedAt: string | null;
  finishedAt: string | null;
  errors: Array<{ row: number; column: string; reason: string }>;
}
