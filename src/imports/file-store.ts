import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';

/**
 * Where uploaded files wait for the import job. Any worker on any host must be able to read
 * them, so they never live only on the API's local disk. PostgreSQL is the default store; an
 * object store fits behind the same three calls.
 */
export interface FileStore {
  /** Stores the bytes under the import's id, hashing them on the way. */
  put(importId: string, input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): Promise<StoredFile>;
  /** The stored bytes, streamed; empty when nothing is stored. */
  open(importId: string): Readable;
  remove(importId: string): Promise<void>;
}

export interface StoredFile {
  size: number;
  sha256: Buffer;
}

export const CHUNK_BYTES = 1_048_576;

/**
 * Chunks of about 1 MiB in `import_chunks`, written and read one at a time, so neither side ever
 * holds the whole file. The chunks are written in one transaction: an upload that breaks off
 * leaves no half file behind for a worker to import.
 */
export function postgresFileStore(pool: pg.Pool, chunkBytes = CHUNK_BYTES): FileStore {
  return {
    async put(importId, input) {
      const hash = createHash('sha256');
      let size = 0;
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const client = await pool.connect();
      const write = async (chunk: Buffer) => {
        await client.query('insert into import_chunks (import_id, seq, data) values ($1, $2, $3)', [importId, seq++, chunk]);
      };
      try {
        await client.query('begin');
        for await (const part of input) {
          const bytes = typeof part === 'string' ? Buffer.from(part) : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
          hash.update(bytes);
          size += bytes.length;
          pending.push(bytes);
          pendingBytes += bytes.length;
          while (pendingBytes >= chunkBytes) {
            const joined = Buffer.concat(pending);
            await write(joined.subarray(0, chunkBytes));
            const rest = joined.subarray(chunkBytes);
            pending = rest.length ? [Buffer.from(rest)] : [];
            pendingBytes = rest.length;
          }
        }
        if (pendingBytes > 0) await write(Buffer.concat(pending));
        await client.query('commit');
        client.release();
      } catch (error) {
        // Dropping the connection aborts the transaction, whatever state the protocol is in.
        client.release(true);
        throw error;
      }
      return { size, sha256: hash.digest() };
    },

    open(importId) {
      const fetch = async (seq: number): Promise<Buffer | undefined> => {
        const { rows } = await pool.query<{ data: Buffer }>('select data from import_chunks where import_id = $1 and seq = $2', [importId, seq]);
        return rows[0]?.data;
      };
      async function* chunks(): AsyncGenerator<Buffer> {
        // One chunk ahead: the next one is on its way while the reader parses this one.
        let next = fetch(0);
        try {
          for (let seq = 1; ; seq++) {
            const data = await next;
            if (!data) return;
            next = fetch(seq);
            yield data;
          }
        } finally {
          next.catch(() => {}); // a reader that stops early leaves one fetch unread
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },

    async remove(importId) {
      await pool.query('delete from import_chunks where import_id = $1', [importId]);
    },
  };
}
