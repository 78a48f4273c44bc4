// The AES-256-GCM payload codec, its keys from the environment, and the codec server's HTTP protocol.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, CodecConfigError, dataConverter, ENCRYPTED_ENCODING, parseCodecKeys } from '../../../src/codec/index.js';
import { startCodecServer } from '../../../src/codec/server.js';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const codecFor = (keys: string, id?: string) => new AesGcmCodec(parseCodecKeys({ DR_CODEC_KEYS: keys, DR_CODEC_KEY_ID: id })!);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);

describe('parseCodecKeys', () => {
  test('no keys: no encryption', () => {
    assert.equal(parseCodecKeys({}), undefined);
    assert.equal(dataConverter({}), undefined);
  });

  test('several keys; the first encrypts unless DR_CODEC_KEY_ID names another', () => {
    const keys = parseCodecKeys({ DR_CODEC_KEYS: ` old:${k1} , new:${k2} ` })!;
    assert.deepEqual([...keys.keys.keys()], ['old', 'new']);
    assert.equal(keys.encryptId, 'old');
    assert.equal(parseCodecKeys({ DR_CODEC_KEYS: `old:${k1},new:${k2}`, DR_CODEC_KEY_ID: 'new' })!.encryptId, 'new');
  });

  const bad: Array<[string, { DR_CODEC_KEYS?: string; DR_CODEC_KEY_ID?: string }, string, string]> = [
    ['no id', { DR_CODEC_KEYS: k1 }, 'DR_CODEC_KEYS', 'Expected DR_CODEC_KEYS entry 1 to look like id:base64key (id of letters, digits, . _ -), got "…"'],
    ['short key', { DR_CODEC_KEYS: `a:${randomBytes(16).toString('base64')}` }, 'DR_CODEC_KEYS', 'Expected key "a" in DR_CODEC_KEYS to be 32 bytes in base64 (e.g. `openssl rand -base64 32`), got 16 bytes'],
    ['not base64', { DR_CODEC_KEYS: `a:${'!'.repeat(44)}` }, 'DR_CODEC_KEYS', 'Expected key "a" in DR_CODEC_KEYS to be 32 bytes in base64 (e.g. `openssl rand -base64 32`), got 0 bytes'],
    ['duplicate id', { DR_CODEC_KEYS: `a:${k1},a:${k2}` }, 'DR_CODEC_KEYS', 'Key id "a" appears twice in DR_CODEC_KEYS'],
    ['unknown current id', { DR_CODEC_KEYS: `a:${k1}`, DR_CODEC_KEY_ID: 'b' }, 'DR_CODEC_KEY_ID', 'DR_CODEC_KEY_ID is "b", which is not one of the ids in DR_CODEC_KEYS (a)'],
    ['id without keys', { DR_CODEC_KEY_ID: 'b' }, 'DR_CODEC_KEYS', 'DR_CODEC_KEY_ID is set but DR_CODEC_KEYS is not: list the keys as id:base64key,...'],
  ];
  for (const [name, env, variable, message] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(
        () => parseCodecKeys(env),
        (err: unknown) => err instanceof CodecConfigError && err.variable === variable && err.message === message,
      );
    });
  }

  test('a key never appears in an error message', () => {
    assert.throws(() => parseCodecKeys({ DR_CODEC_KEYS: `bad id:${k1}` }), (err: Error) => !err.message.includes(k1));
  });
});

describe('AesGcmCodec', () => {
  test('round trip; the ciphertext holds no plaintext and names its key', async () => {
    const codec = codecFor(`k1:${k1}`);
    const plain = payload({ marker: 'SECRET-42', nested: [1, 2] });
    const [sealed] = await codec.encode([plain]);
    assert.equal(text(sealed!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(sealed!.metadata!['encryption-key-id']), 'k1');
    assert.ok(!Buffer.from(sealed!.data!).toString('latin1').includes('SECRET-42'));
    const [opened] = await codec.decode([sealed!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened!), { marker: 'SECRET-42', nested: [1, 2] });
    assert.equal(text(opened!.metadata!.encoding), 'json/plain');
  });

  test('the same payload encrypts differently each time (random IV)', async () => {
    const codec = codecFor(`k1:${k1}`);
    const [a, b] = await codec.encode([payload('x'), payload('x')]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  test('rotation: payloads sealed with the old key still open once a new key encrypts', async () => {
    const [old] = await codecFor(`old:${k1}`).encode([payload('written before the rotation')]);
    const rotated = codecFor(`old:${k1},new:${k2}`, 'new');
    const [fresh] = await rotated.encode([payload('after')]);
    assert.equal(text(fresh!.metadata!['encryption-key-id']), 'new');
    const opened = await rotated.decode([old!, fresh!]);
    assert.deepEqual(opened.map((p) => defaultPayloadConverter.fromPayload(p)), ['written before the rotation', 'after']);
  });

  test('a retired key that was removed, a tampered payload and a relabelled key id are refused', async () => {
    const [old] = await codecFor(`old:${k1}`).encode([payload('x')]);
    await assert.rejects(codecFor(`new:${k2}`).decode([old!]), /Cannot decrypt a payload sealed with key "old": DR_CODEC_KEYS has new; keep retired keys listed/);
    const tampered: Payload = { ...old!, data: Buffer.from(old!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await assert.rejects(codecFor(`old:${k1}`).decode([tampered]), /Cannot decrypt a payload with key "old": the key is not the one it was sealed with, or the payload was altered/);
    const relabelled: Payload = { ...old!, metadata: { ...old!.metadata, 'encryption-key-id': Buffer.from('other') } };
    await assert.rejects(codecFor(`old:${k1},other:${k1}`).decode([relabelled]), /the payload was altered/);
  });

  test('payloads that are not encrypted pass through (runs from before encryption was on)', async () => {
    const plain = payload({ a: 1 });
    assert.deepEqual(await codecFor(`k1:${k1}`).decode([plain]), [plain]);
  });
});

describe('codec server', () => {
  const codec = codecFor(`k1:${k1}`);
  const started = startCodecServer({ codec, origins: ['http://localhost:8233'], port: 0 });
  after(async () => (await started).close());
  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const { url } = await started;
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { payloads?: Array<{ metadata: Record<string, string>; data: string }>; error?: string } };
  };

  test('POST /encode then /decode returns the original payloads (the UI\'s JSON form)', async () => {
    const original = toJson(payload({ marker: 'SECRET-42' }));
    const encoded = await post('/encode', { payloads: [original] }, { 'X-Namespace': 'default' });
    assert.equal(encoded.status, 200);
    assert.equal(Buffer.from(encoded.body.payloads![0]!.metadata.encoding!, 'base64').toString(), ENCRYPTED_ENCODING);
    assert.ok(!Buffer.from(encoded.body.payloads![0]!.data, 'base64').toString('latin1').includes('SECRET-42'));
    const decoded = await post('/decode', encoded.body);
    assert.deepEqual(decoded.body, { payloads: [original] });
  });

  test('CORS: the UI origin is allowed (preflight and request), others are refused', async () => {
    const { url } = await started;
    const preflight = await fetch(`${url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:8233');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type,x-namespace');
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    const ok = await post('/decode', { payloads: [] }, { origin: 'http://localhost:8233' });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:8233');
    const evil = await post('/decode', { payloads: [] }, { origin: 'http://evil.example' });
    assert.deepEqual([evil.status, evil.body.error], [403, 'origin http://evil.example is not allowed']);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  test('bad requests get a 4xx and a reason; GET /health answers', async () => {
    const { url } = await started;
    assert.deepEqual((await post('/decode', { nope: 1 })).body, { error: 'Expected a JSON body like {"payloads": [...]}' });
    assert.equal((await post('/nowhere', {})).status, 404);
    const unknownKey = await post('/decode', { payloads: [toJson((await codecFor(`zz:${k2}`).encode([payload(1)]))[0]!)] });
    assert.equal(unknownKey.status, 400);
    assert.match(unknownKey.body.error ?? '', /sealed with key "zz"/);
    assert.deepEqual(await (await fetch(`${url}/health`)).json(), { ok: true });
  });
});
