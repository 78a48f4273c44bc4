// Durations as people write them in runbooks: "15m", "2h", "90s", "1h30m", "15 minutes", "2 hours".

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;

/** Error thrown for a duration that cannot be read; `message` says what was expected. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
  constructor(readonly input: unknown) {
    super(`Expected a duration like "15m", "1h30m" or "2 hours", got ${JSON.stringify(input)}`);
  }
}

/** Parses a human duration into milliseconds, or returns undefined when it is not one. */
export function tryParseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input * 1000 : undefined;
  const text = input.trim().toLowerCase().replace(/\s+and\s+/g, ' ').replace(/,/g, ' ');
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  for (;;) {
    while (text[pos] === ' ') pos++;
    if (pos >= text.length) break;
    PART.lastIndex = pos;
    const match = PART.exec(text);
    if (!match) return undefined;
    const unit = UNIT_MS[match[2]!];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
    pos = PART.lastIndex;
  }
  return Math.round(total);
}

/** Parses a human duration into milliseconds; throws DurationError when it is not one. */
export function parseDuration(input: string | number): number {
  const ms = tryParseDuration(input);
  if (ms === undefined) throw new DurationError(input);
  return ms;
}

/** Formats milliseconds compactly for tables and reports: "1h30m", "45s", "250ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  rest = Math.round(rest / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return sign + parts.join('');
}
