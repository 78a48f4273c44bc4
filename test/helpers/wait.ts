// Tests wait on a state, never on a time: `check` is polled until it gives a value (anything but
// undefined, null or false), up to a bound. Past the bound, waitUntil throws with what was awaited
// and the last thing seen, so a slow machine shows up as a clear timeout rather than as a wrong
// assertion further down.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Between checks; default 100 ms. */
  everyMs?: number;
  /** What to add to the timeout message (e.g. the last output seen). */
  detail?: () => string;
}

type Checked<T> = T | undefined | null | false;

/** Resolves with the first value `check` gives; throws `Timed out after …ms waiting for <what>`. */
export async function waitUntil<T>(what: string, check: () => Checked<T> | Promise<Checked<T>>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, everyMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) {
      const detail = options.detail?.();
      throw new Error(`Timed out after ${timeoutMs}ms waiting for ${what}${detail ? `; ${detail}` : ''}`);
    }
    await delay(everyMs);
  }
}

/** Like waitUntil, but resolves false at the bound instead of throwing (for asserts with their own message). */
export async function eventually(check: () => boolean | Promise<boolean>, options: Omit<WaitOptions, 'detail'> = {}): Promise<boolean> {
  return waitUntil('', check, options).then(
    () => true,
    (err: unknown) => {
      if (err instanceof Error && err.message.startsWith('Timed out after')) return false;
      throw err;
    },
  );
}
