// Small helpers shared by the set-up scripts. Node built-ins only: they run before the services do.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (scripts/lib/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Per-machine cache that survives fresh clones: ${XDG_CACHE_HOME:-$HOME/.cache}/easymo-dr. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'easymo-dr');
}

/** Prints a progress line on stderr-free stdout, prefixed so it stands out from child output. */
export function say(message: string): void {
  process.stdout.write(`[easymo-dr] ${message}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The last `lines` lines of a text file ('' when it does not exist). Reads at most the last 64 KiB. */
export function tailFile(file: string | undefined, lines = 30): string {
  if (!file || !existsSync(file)) return '';
  const buf = readFileSync(file);
  const text = buf.subarray(Math.max(0, buf.length - 65_536)).toString('utf8');
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all.slice(-lines).join('\n');
}

/** Indents a block of text for display under a heading. */
export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/**
 * Polls `probe` until it returns a truthy value, `abort` returns a reason string (e.g. the child died),
 * or `timeoutMs` passes. Returns the probe's value; throws with `what` in the message otherwise.
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  { timeoutMs, intervalMs = 250, what, abort }: { timeoutMs: number; intervalMs?: number; what: string; abort?: () => string | undefined },
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = abort ? abort() : undefined;
    if (reason) throw new Error(`${what}: ${reason}`);
    let value: T | undefined;
    try {
      value = await probe();
    } catch {
      value = undefined;
    }
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`${what}: timed out after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(intervalMs);
  }
}

/** True when running as root (postgres refuses to run as root, so we switch user for it). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
