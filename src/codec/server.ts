// Temporal's codec server protocol over HTTP, so the Web UI (and `temporal --codec-endpoint`) can show
// encrypted payloads decrypted: POST /encode and POST /decode take and return
// `{"payloads": [{"metadata": {"<key>": "<base64>"}, "data": "<base64>"}]}`. The UI calls it from the
// browser, so CORS answers only the origins given; GET /health is for container health checks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

/** What a request body may hold at most (Temporal's own payload limits are far below). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins the browser may call from (e.g. the UI's http://localhost:8233); '*' allows any. */
  origins: string[];
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Creates (does not start) the HTTP server. */
export function createCodecServer({ codec, origins }: CodecServerOptions): Server {
  const allowAny = origins.includes('*');
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  return createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!allowAny && !allowed.has(origin)) return send(res, 403, { error: `origin ${origin} is not allowed` });
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true });
    const action = path.endsWith('/encode') ? 'encode' : path.endsWith('/decode') ? 'decode' : undefined;
    if (req.method !== 'POST' || !action) return send(res, 404, { error: 'expected POST /encode or POST /decode' });
    handle(req, action, codec).then(
      (body) => send(res, 200, body),
      (err: unknown) => send(res, err instanceof HttpError ? err.status : 400, { error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

async function handle(req: IncomingMessage, action: 'encode' | 'decode', codec: PayloadCodec): Promise<{ payloads: JsonPayload[] }> {
  const body = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'Expected a JSON body like {"payloads": [...]}');
  }
  const list = (parsed as { payloads?: unknown })?.payloads;
  if (!Array.isArray(list)) throw new HttpError(400, 'Expected a JSON body like {"payloads": [...]}');
  const payloads = list.map((p, i) => fromJson(p, i));
  const result = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
  return { payloads: result.map(toJson) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `Body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function fromJson(value: unknown, index: number): Payload {
  const p = value as JsonPayload;
  if (typeof p !== 'object' || p === null) throw new HttpError(400, `payloads[${index}]: expected an object with metadata and data`);
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpError(400, `payloads[${index}].metadata.${key}: expected base64 text`);
    metadata[key] = Buffer.from(v, 'base64');
  }
  if (p.data !== undefined && typeof p.data !== 'string') throw new HttpError(400, `payloads[${index}].data: expected base64 text`);
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(payload.metadata ?? {})) if (v) metadata[key] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts the server; resolves with its URL once it listens. */
export async function startCodecServer(options: CodecServerOptions & { port: number; host?: string }): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createCodecServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
