// Encryption keys from the environment: DR_CODEC_KEYS=`id1:base64key,id2:base64key` (AES-256, 32
// bytes each) and DR_CODEC_KEY_ID, the one new payloads are encrypted with. Old keys stay listed so
// payloads written before a rotation still decrypt (each payload names its key id).
import type { Config } from '../config.js';

/** A codec setting that cannot be used; names the variable at fault. */
export class CodecConfigError extends Error {
  override readonly name = 'CodecConfigError';
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
  }
}

export interface CodecKeys {
  /** Key id → 32-byte key. */
  keys: Map<string, Buffer>;
  /** The id new payloads are encrypted with. */
  encryptId: string;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Parses the key list; undefined when encryption is not configured. */
export function parseCodecKeys(config: Pick<Config, 'DR_CODEC_KEYS' | 'DR_CODEC_KEY_ID'>): CodecKeys | undefined {
  const raw = config.DR_CODEC_KEYS;
  if (raw === undefined) {
    if (config.DR_CODEC_KEY_ID !== undefined) {
      throw new CodecConfigError('DR_CODEC_KEY_ID is set but DR_CODEC_KEYS is not: list the keys as id:base64key,...', 'DR_CODEC_KEYS');
    }
    return undefined;
  }
  const keys = new Map<string, Buffer>();
  for (const [index, entry] of raw.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      throw new CodecConfigError(
        `Expected DR_CODEC_KEYS entry ${index + 1} to look like id:base64key (id of letters, digits, . _ -), got ${JSON.stringify(redact(entry))}`,
        'DR_CODEC_KEYS',
      );
    }
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/_-]+=*$/.test(encoded)) {
      throw new CodecConfigError(
        `Expected key "${id}" in DR_CODEC_KEYS to be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`,
        'DR_CODEC_KEYS',
      );
    }
    if (keys.has(id)) throw new CodecConfigError(`Key id "${id}" appears twice in DR_CODEC_KEYS`, 'DR_CODEC_KEYS');
    keys.set(id, key);
  }
  if (keys.size === 0) throw new CodecConfigError('DR_CODEC_KEYS is set but lists no key', 'DR_CODEC_KEYS');
  const encryptId = config.DR_CODEC_KEY_ID ?? keys.keys().next().value!;
  if (!keys.has(encryptId)) {
    throw new CodecConfigError(
      `DR_CODEC_KEY_ID is "${encryptId}", which is not one of the ids in DR_CODEC_KEYS (${[...keys.keys()].join(', ')})`,
      'DR_CODEC_KEY_ID',
    );
  }
  return { keys, encryptId };
}

/** Keeps a mistyped entry out of error messages: the id part only. */
function redact(entry: string): string {
  const colon = entry.indexOf(':');
  return colon >= 0 ? `${entry.slice(0, colon)}:…` : '…';
}
