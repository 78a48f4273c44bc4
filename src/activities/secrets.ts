// Secret references (`env:NAME`, `file:/path`) are resolved here, on the worker, so values never
// enter workflow history; the Redactor keeps them out of step outputs, heartbeats and errors too.
import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from './types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `value` is written as a secret reference rather than a literal. */
export function isSecretRef(value: string): boolean {
  return value.startsWith('env:') || value.startsWith('file:');
}

function unresolved(ref: string, why: string): ApplicationFailure {
  // Names the reference and the reason only: never any part of a value.
  return ApplicationFailure.create({
    type: FailureTypes.SecretUnresolved,
    nonRetryable: true,
    message: `Secret ${ref} ${why}`,
  });
}

/** Resolves `env:NAME` or `file:/path` to its value; any other string is returned as is. */
export function resolveSecret(ref: string, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    // A malformed reference is a typo to report, not a literal to send somewhere.
    if (!ENV_NAME.test(name)) throw unresolved(ref, 'is not a valid reference: expected env:NAME like env:DATABASE_URL');
    const value = env[name];
    if (value === undefined) throw unresolved(ref, `is not set: environment variable ${name} is undefined on the worker`);
    if (value === '') throw unresolved(ref, `is empty: environment variable ${name} is set to an empty string`);
    return value;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    if (!path.startsWith('/')) throw unresolved(ref, 'is not a valid reference: expected an absolute path like file:/run/secrets/db');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw unresolved(ref, `cannot be read (${code})`);
    }
    // Files written by `echo` or editors end with a newline that is not part of the secret.
    const value = text.replace(/(\r?\n)+$/, '');
    if (value === '') throw unresolved(ref, 'is empty');
    return value;
  }
  return ref;
}

/** Collects resolved secret values and masks them as `***` in any text shown or stored. */
export class Redactor {
  private values: string[] = [];

  /** Registers a value to mask; empty strings are ignored. */
  add(value: string | undefined): void {
    if (!value || this.values.includes(value)) return;
    // Longest first, so a secret containing another one is masked whole.
    this.values = [...this.values, value].sort((a, b) => b.length - a.length);
  }

  /** Resolves `ref` and, when it was a reference, registers its value. */
  resolve(ref: string, env: NodeJS.ProcessEnv = process.env): string {
    const value = resolveSecret(ref, env);
    if (isSecretRef(ref)) this.add(value);
    return value;
  }

  /** Longest registered value, for callers that keep a margin around cut points. */
  get longest(): number {
    return this.values[0]?.length ?? 0;
  }

  /**
   * Masks every registered value. With `cutAtStart` (text that is the tail of something longer),
   * a secret cut in half at the very start is masked too.
   */
  redact(text: string, cutAtStart = false): string {
    let out = text;
    for (const value of this.values) out = out.split(value).join('***');
    if (cutAtStart) {
      for (const value of this.values) {
        for (let k = Math.min(value.length - 1, out.length); k > 0; k--) {
          if (out.startsWith(value.slice(-k))) {
            out = '***' + out.slice(k);
            break;
          }
        }
      }
    }
    return out;
  }
}
