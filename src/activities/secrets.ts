// Secret references (`env:NAME`, `file:/path`) are resolved here, on the worker, so values never
// enter workflow history; the Redactor keeps them out of step outputs, heartbeats and errors too.
import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from './errors.js';

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

  /**
   * Registers a value to mask; empty strings are ignored. A connection string's parts are masked
   * too, since tools quote them alone ("password authentication failed for user x", "could not
   * translate host name y").
   */
  add(value: string | undefined): void {
    if (!value) return;
    const fresh = [value, ...secretParts(value)].filter((v) => !this.values.includes(v));
    if (fresh.length === 0) return;
    // Longest first, so a secret containing another one is masked whole.
    this.values = [...this.values, ...fresh].sort((a, b) => b.length - a.length);
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

// Parts shorter than this would mask ordinary words and digits all over a log; a URL's own parts
// are that short only in toy set-ups.
const MIN_PART = 3;

/** The user, password and host of a URL (`postgres://u:p@h:5432/db`) or libpq key=value string. */
export function secretParts(value: string): string[] {
  const parts: string[] = [];
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(value.trim()) ? safeUrl(value.trim()) : undefined;
  if (url) {
    for (const raw of [url.username, url.password]) if (raw) parts.push(raw, safeDecode(raw));
    // Hosts of a multi-host URL (host1,host2:5433) and the host as written with its port.
    if (url.host) parts.push(url.host, url.hostname.replace(/^\[|\]$/g, ''));
    const hosts = /^[^:]+:\/\/(?:[^@/]*@)?([^/?#]+)/.exec(value.trim())?.[1];
    if (hosts) for (const h of hosts.split(',')) parts.push(h, h.replace(/:\d+$/, ''));
    for (const key of ['user', 'password', 'host', 'hostaddr', 'sslpassword']) {
      const v = url.searchParams.get(key);
      if (v) parts.push(v);
    }
  } else {
    for (const m of value.matchAll(/\b(user|password|host|hostaddr|sslpassword)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g)) {
      parts.push(m[2]!.replace(/^'|'$/g, ''));
    }
  }
  return [...new Set(parts)].filter((p) => p.length >= MIN_PART && p !== value);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
