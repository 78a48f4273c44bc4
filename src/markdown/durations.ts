// Times as DR documents write them: "(15 minutes)", "(0-15 minutes)", "(2-4 hours)", "(Immediate)",
// "(Ongoing)", and timeline marks like "T+10 min".
import { formatDuration, tryParseDuration } from '../runbook/duration.js';
import type { TimeReading } from './types.js';

/** Budget given to a step the document times as "Immediate": it starts now, and a first response fits in this. */
export const IMMEDIATE_MS = 15 * 60_000;
/** Budget given to an "Ongoing" step: the first round of it; the rest continues after the runbook ends. */
export const ONGOING_MS = 60 * 60_000;
/** Budget given to a step the document gives no time. */
export const DEFAULT_MS = 5 * 60_000;

const IMMEDIATE = /^(immediate(ly)?|asap|now|right away)$/i;
const ONGOING = /^(ongoing|continuous(ly)?|continuing|until resolved|as needed)$/i;
const HEDGE = /^(~|≈|approx\.?|approximately|about|around|up to|under|within|max\.?|maximum|at most|<=?|≤)\s*/i;
const MARK_RANGE = /^T\s*\+\s*(.+?)\s*(?:-|–|—|to)\s*T\s*\+\s*(.+)$/i;
const RANGE = /^(\d+(?:\.\d+)?)\s*([a-z]*)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*([a-z]+)$/i;

function duration(text: string): number | undefined {
  return /\d/.test(text) ? tryParseDuration(text) : undefined;
}

/** Reads a time phrase; undefined when the words are not a time. */
export function readTime(phrase: string): TimeReading | undefined {
  const text = phrase.trim().replace(/\s+/g, ' ');
  if (text === '' || text.length > 60) return undefined;
  if (IMMEDIATE.test(text)) {
    return { ms: IMMEDIATE_MS, text, assumed: true, note: `"${text}" has no number: budgeted ${formatDuration(IMMEDIATE_MS)}` };
  }
  if (ONGOING.test(text)) {
    return { ms: ONGOING_MS, text, assumed: true, note: `"${text}" has no end: budgeted ${formatDuration(ONGOING_MS)} for the first round` };
  }
  const bare = text.replace(HEDGE, '').replace(/\s+(max|total|each)$/i, '');
  const range = RANGE.exec(bare);
  if (range) {
    const [, a, unitA, b, unitB] = range;
    const low = duration(`${a} ${unitA || unitB}`);
    const high = duration(`${b} ${unitB}`);
    if (low === undefined || high === undefined) return undefined;
    const clock = { startMs: low, endMs: high, kind: 'range' as const };
    if (low > high) {
      return { ms: low, text, clock, error: `the range "${text}" runs backwards (${formatDuration(low)} to ${formatDuration(high)}); budgeted the larger, ${formatDuration(low)}` };
    }
    return { ms: high, text, clock, note: low === high ? undefined : `range "${text}": the budget is the upper bound` };
  }
  const marks = MARK_RANGE.exec(bare);
  if (marks) {
    const low = readMark(`T+${marks[1]!}`);
    const high = readMark(`T+${marks[2]!}`);
    if (low && high && !low.rest && !high.rest) return { ms: Math.abs(high.offsetMs - low.offsetMs), text, clock: { startMs: low.offsetMs, endMs: high.offsetMs, kind: 'marks' as const } };
  }
  const ms = duration(bare);
  if (ms === undefined) return undefined;
  return { ms, text, note: bare === text ? undefined : `"${text}": budgeted ${formatDuration(ms)}` };
}

/** A time at the start of a longer phrase: "45 minutes · applies to every procedure" → 45 minutes. */
export function readLeadingTime(phrase: string): TimeReading | undefined {
  const whole = readTime(phrase);
  if (whole) return whole;
  const lead = /^\s*(?:~|about\s+|up to\s+|under\s+|within\s+)?\d+(?:\.\d+)?\s*(?:-|–|to)?\s*(?:\d+(?:\.\d+)?\s*)?[a-z]+/i.exec(phrase);
  return lead ? readTime(lead[0]) : undefined;
}

/** Finds a time in parentheses, e.g. in "Assess Damage (15 minutes)"; returns the text without it. */
export function takeParenthesizedTime(text: string): { time?: TimeReading; rest: string } {
  for (const match of text.matchAll(/\(([^()]{1,60})\)/g)) {
    const time = readTime(match[1]!);
    if (time) {
      const rest = (text.slice(0, match.index) + text.slice(match.index + match[0].length)).replace(/\s+/g, ' ').trim();
      return { time, rest };
    }
  }
  return { rest: text };
}

const UNIT = '(?:minutes?|mins?|m|hours?|hrs?|h|seconds?|secs?|s|days?|d)(?![a-z])';
const MARK = new RegExp(`^\\s*T\\s*\\+\\s*(\\d+:\\d{2}|\\d+(?:\\.\\d+)?(?:\\s*${UNIT}(?:\\s*\\d+(?:\\.\\d+)?\\s*${UNIT})*)?)\\s*(?:[:\\-–—|.)]\\s*|\\s+|$)`, 'i');

/** A timeline mark at the start of text, "T+10 min: Fail over DNS" → 10 minutes and the rest. */
export function readMark(text: string): { offsetMs: number; rest: string; unitless: boolean } | undefined {
  const match = MARK.exec(text);
  if (!match) return undefined;
  const raw = match[1]!.trim();
  const clock = /^(\d+):(\d{2})$/.exec(raw);
  let offsetMs: number | undefined;
  const unitless = /^\d+(?:\.\d+)?$/.test(raw);
  if (clock) offsetMs = (Number(clock[1]) * 60 + Number(clock[2])) * 60_000;
  else if (unitless) offsetMs = Number(raw) * 60_000; // "T+10": minutes, as incident timelines count
  else offsetMs = tryParseDuration(raw);
  if (offsetMs === undefined) return undefined;
  return { offsetMs, rest: text.slice(match[0].length).trim(), unitless: unitless && raw !== '0' };
}
