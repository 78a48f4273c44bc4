// Turning PostgreSQL values into JSON that survives Temporal payloads, and comparing them with a
// runbook's expectation the way a person reads them: count(*) arrives as the string "0".
import type { Comparison } from '../runbook/model.js';

/** A JSON-safe copy: bigint → string, Date → ISO string, Buffer → `\x` hex (as psql shows bytea). */
export function jsonSafe(value: unknown, text: (s: string) => string = (s) => s): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return text(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, text));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v, text)]));
  }
  return text(String(value));
}

/** The number a value stands for: numbers, and strings that are numbers ("42", "3.5"). */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function equal(actual: unknown, expected: string | number | boolean): boolean {
  if (typeof expected === 'number') return numeric(actual) === expected;
  if (typeof expected === 'boolean') return actual === expected || String(actual) === String(expected);
  // A numeric expectation written as a string ("10") still matches 10 and "10.0".
  const a = numeric(actual);
  const e = numeric(expected);
  if (a !== undefined && e !== undefined) return a === e;
  return actual !== null && actual !== undefined && String(actual) === expected;
}

/** How a value reads in a message: numbers bare (even when PostgreSQL sent a string), text quoted. */
export function show(value: unknown): string {
  if (value === undefined) return 'no rows';
  if (numeric(value) !== undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** Undefined when `actual` satisfies every bound; otherwise `Expected value >= 1, got 0`. */
export function checkComparison(name: string, actual: unknown, cmp: Comparison): string | undefined {
  if (cmp.equals !== undefined && !equal(actual, cmp.equals)) {
    return `Expected ${name} = ${show(cmp.equals)}, got ${show(actual)}`;
  }
  const n = numeric(actual);
  if (cmp.min !== undefined && (n === undefined || n < cmp.min)) return `Expected ${name} >= ${cmp.min}, got ${show(actual)}`;
  if (cmp.max !== undefined && (n === undefined || n > cmp.max)) return `Expected ${name} <= ${cmp.max}, got ${show(actual)}`;
  return undefined;
}
