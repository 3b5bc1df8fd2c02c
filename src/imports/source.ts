/**
 * Reads the first bytes of an upload to decide what it is, then replays them followed by the
 * rest, so sniffing costs one sample of memory and nothing is read twice.
 */
export interface PeekedSource {
  sample: Buffer;
  /** True when the sample is the whole file. */
  complete: boolean;
  /** The sample, then the rest of the input. Single use; ending it early closes the input. */
  chunks(): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

export type ByteSource = AsyncIterable<Uint8Array | string>;

const toBuffer = (chunk: Uint8Array | string): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);

export async function peekSource(input: ByteSource, sampleBytes: number): Promise<PeekedSource> {
  const iterator = input[Symbol.asyncIterator]();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await iterator.return?.(); // destroys a Node Readable
  };

  let head: Buffer[] = [];
  let size = 0;
  let complete = false;
  try {
    while (size < sampleBytes) {
      const next = await iterator.next();
      if (next.done) {
        complete = true;
        break;
      }
      const chunk = toBuffer(next.value);
      head.push(chunk);
      size += chunk.length;
    }
  } catch (error) {
    await close();
    throw error;
  }
  if (complete) closed = true;
  const sample = head.length === 1 ? head[0]! : Buffer.concat(head);

  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      const replay = head;
      head = []; // let the sample go once it has been handed on
      yield* replay;
      while (!complete) {
        const next = await iterator.next();
        if (next.done) break;
        yield toBuffer(next.value);
      }
    } finally {
      await close();
    }
  }
  return { sample, complete, chunks, close };
}
