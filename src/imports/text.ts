/**
 * Text decoding for CSV uploads: UTF-8 (with or without BOM) or Windows-1252, which is what
 * Excel's "CSV (gescheiden door lijstscheidingsteken)" still writes on Dutch Windows.
 */
export type TextEncodingName = 'utf-8' | 'windows-1252';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function hasUtf8Bom(bytes: Buffer): boolean {
  return bytes.subarray(0, 3).equals(BOM);
}

export function hasUtf16Bom(bytes: Buffer): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** Length of the prefix of `bytes` that does not end inside a multi-byte UTF-8 character. */
export function utf8BoundaryLength(bytes: Buffer): number {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (bytes[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes.length;
  const lead = bytes[i]!;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return continuation + 1 < needed ? i : bytes.length;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isValidUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * BOM -> UTF-8; else a sample that is valid UTF-8 -> UTF-8 (a character cut at the end of an
 * incomplete sample is not held against it); else Windows-1252.
 */
export function detectEncoding(sample: Buffer, complete: boolean): TextEncodingName {
  if (hasUtf8Bom(sample)) return 'utf-8';
  const checked = complete ? sample : sample.subarray(0, utf8BoundaryLength(sample));
  return isValidUtf8(checked) ? 'utf-8' : 'windows-1252';
}

/**
 * Decodes a byte stream to text and normalises line endings to `\n` (so the CSV reader counts lines
 * the way an editor does, a quoted CRLF as one). If a file sniffed as UTF-8 turns out
 * not to be (an `é` in row 5,000 of an otherwise ASCII Windows-1252 export), the rest is decoded
 * as Windows-1252: everything before was ASCII-compatible, so nothing earlier is wrong.
 * `onSwitch` reports that change.
 */
export async function* decodeText(
  chunks: AsyncIterable<Buffer>,
  encoding: TextEncodingName,
  onSwitch: (encoding: TextEncodingName) => void = () => {},
): AsyncGenerator<string> {
  const cp1252 = new TextDecoder('windows-1252');
  let current = encoding;
  let pending: Buffer = Buffer.alloc(0); // an incomplete UTF-8 character carried to the next chunk
  let first = true;
  let cr = false; // the last chunk ended in \r: a \n at the start of the next belongs to it

  const decode = (bytes: Buffer, end: boolean): string => {
    if (current === 'windows-1252') return cp1252.decode(bytes, { stream: !end });
    const joined = pending.length ? Buffer.concat([pending, bytes]) : bytes;
    const cut = end ? joined.length : utf8BoundaryLength(joined);
    try {
      const text = strictUtf8.decode(joined.subarray(0, cut));
      pending = Buffer.from(joined.subarray(cut));
      return text;
    } catch {
      current = 'windows-1252';
      onSwitch(current);
      pending = Buffer.alloc(0);
      // A BOM on a file that is not UTF-8 after all must not become "ï»¿" in the first header.
      return cp1252.decode(first && hasUtf8Bom(joined) ? joined.subarray(3) : joined, { stream: !end });
    }
  };
  const lines = (text: string): string => {
    if (text === '') return text;
    if (first) {
      first = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1); // the BOM (kept by ignoreBOM, dropped here once)
    }
    const out = cr && text.startsWith('\n') ? text.slice(1) : text;
    cr = out.endsWith('\r');
    return out.replace(/\r\n?/g, '\n');
  };

  for await (const chunk of chunks) {
    const text = lines(decode(chunk, false));
    if (text) yield text;
  }
  const rest = lines(decode(Buffer.alloc(0), true));
  if (rest) yield rest;
}
