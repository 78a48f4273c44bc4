// Encryption fixtures: fresh keys per test file, `dr codec-server` as its own process, and a search
// of raw history for plaintext that also looks inside base64 (how payload bytes appear in JSON).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { root } from './processes.js';

/** Two keys, the second one current: DR_CODEC_KEYS / DR_CODEC_KEY_ID for worker, CLI and codec server. */
export function testKeys(): { DR_CODEC_KEYS: string; DR_CODEC_KEY_ID: string } {
  const key = () => randomBytes(32).toString('base64');
  return { DR_CODEC_KEYS: `retired:${key()},current:${key()}`, DR_CODEC_KEY_ID: 'current' };
}

/** Starts `dr codec-server`; resolves once it listens. */
export async function startCodecServerProcess(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['bin/dr.js', 'codec-server', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dr codec-server did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('dr codec-server: http')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dr codec-server exited (${code}):\n${output}`));
    });
  });
  return { child, output: () => output };
}

/** Every place `needle` shows in a JSON value: verbatim, or inside a base64 string. */
export function plaintextHits(value: unknown, needle: string, path = '$'): string[] {
  if (typeof value === 'string') {
    const hits = value.includes(needle) ? [path] : [];
    if (/^[A-Za-z0-9+/_-]{8,}={0,2}$/.test(value) && Buffer.from(value, 'base64').toString('latin1').includes(needle)) hits.push(`${path} (base64)`);
    return hits;
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintextHits(v, needle, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => plaintextHits(v, needle, `${path}.${k}`));
  }
  return [];
}
