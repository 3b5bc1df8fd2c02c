import type pg from 'pg';
import { Batcher } from './batcher.js';
import { signalPage, type SignalPage, type SignalPageRequest } from './signal-page.js';

interface Entry {
  version: number;
  page: SignalPage;
  bytes: number;
}

const versionQuery = { name: 'signal_list_version', text: 'select value from signal_list_version', rowMode: 'array' } as const;

/**
 * Rendered signal-list pages, each kept under the signal list version it was read at (table
 * signal_list_version, raised at the commit of every transaction that changed signals, pupils'
 * names or organisations). A page is served again only while that version is still current,
 * and the version is read by a statement that starts after the request arrived: a reader sees
 * every change committed before it asked, in any process, never a stale page. Concurrent
 * requests share that one-row read (src/db/batcher.ts).
 *
 * Why: officers read the same inbox pages again and again, and the list changes a few times a
 * day (the nightly check, an officer's update, an import). Rendering a page costs PostgreSQL
 * and Node ten times what checking the version costs. The audit is not cached: every read is
 * still recorded by the route.
 *
 * Least recently used pages go first once the pages take more than `maxBytes`.
 */
export class SignalPageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly version: Batcher<null, number>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxBytes: number,
  ) {
    this.version = new Batcher(async () => {
      const { rows } = await pool.query<[string]>({ ...versionQuery });
      return Number(rows[0]![0]);
    });
  }

  async page(request: SignalPageRequest): Promise<SignalPage> {
    if (this.maxBytes <= 0) return signalPage(this.pool, request);
    const key = keyOf(request);
    const version = await this.version.add(null);
    const kept = this.entries.get(key);
    if (kept?.version === version) {
      this.entries.delete(key); // to the back: most recently used
      this.entries.set(key, kept);
      return kept.page;
    }
    const page = await signalPage(this.pool, request);
    this.keep(key, version, page);
    return page;
  }

  private keep(key: string, version: number, page: SignalPage): void {
    const kept = this.entries.get(key);
    if (kept && kept.version > version) return; // a later read was faster
    if (kept) this.drop(key, kept);
    const bytes = 2 * page.itemsJson.length + 80 * page.pupilIds.length;
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { version, page, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest, entry);
    }
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/** Everything a page depends on: the caller's scope (role and organisation, not the person), filters, size and cursor. */
function keyOf({ caller, filters, limit, cursor }: SignalPageRequest): string {
  return JSON.stringify([caller.role, caller.org, filters, limit, cursor?.at ?? null, cursor?.id ?? null]);
}
