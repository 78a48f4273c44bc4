// The data converter options worker and CLI share: the payload codec when encryption is configured.
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { Config } from '../config.js';
import { AesGcmCodec } from './aes-gcm.js';
import { parseCodecKeys } from './keys.js';

export { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './aes-gcm.js';
export { CodecConfigError, parseCodecKeys, type CodecKeys } from './keys.js';

/** The codecs from DR_CODEC_KEYS / DR_CODEC_KEY_ID: one AES-GCM codec, or none. */
export function payloadCodecs(config: Pick<Config, 'DR_CODEC_KEYS' | 'DR_CODEC_KEY_ID'>): PayloadCodec[] {
  const keys = parseCodecKeys(config);
  return keys ? [new AesGcmCodec(keys)] : [];
}

/** The `dataConverter` option for Worker.create and new Client; undefined when nothing is encrypted. */
export function dataConverter(config: Pick<Config, 'DR_CODEC_KEYS' | 'DR_CODEC_KEY_ID'>): DataConverter | undefined {
  const codecs = payloadCodecs(config);
  return codecs.length > 0 ? { payloadCodecs: codecs } : undefined;
}
