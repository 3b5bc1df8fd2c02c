import type { TestContext } from './context.js';

/** A multipart body as a browser would send it: the fields first, then the file. */
export async function multipart(fields: Record<string, string>, file: Buffer | null, filename = 'export.csv') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([new Uint8Array(file)]), filename);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

export async function upload(ctx: TestContext, headers: Record<string, string>, fields: Record<string, string>, file: Buffer | null, filename?: string) {
  const { payload, contentType } = await multipart(fields, file, filename);
  return ctx.app.inject({ method: 'POST', url: '/v1/imports', headers: { ...headers, 'content-type': contentType }, payload });
}
