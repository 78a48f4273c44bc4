// List items and table rows → draft steps: numbered steps with a bold title and a time, checklist
// items, and T+ timeline entries (each entry lasts until the next one starts).
import type { Code, List, ListItem, Table } from 'mdast';
import { formatDuration } from '../runbook/duration.js';
import { yamlDuration } from './build.js';
import { blocksAction } from './blocks.js';
import { DEFAULT_MS, readMark, takeParenthesizedTime } from './durations.js';
import { leadParagraph } from './forms.js';
import { isShellCode } from './shell.js';
import { lineOf, oneLine, textOf, tidy } from './text.js';
import type { DraftStep, Note } from './types.js';

const STEP_PREFIX = /^((?:step\s*)?\d+\s*[:.)\-–—]\s*)/i;

function bullets(list: List): string[] {
  return list.children.map((item, i) => `${list.ordered ? `${(list.start ?? 1) + i}.` : '-'} ${tidy(textOf(item)).replace(/\n/g, ' ')}`);
}

/** A numbered step: title (bold or the whole first line), time in parentheses, bullets and code. */
export function itemStep(item: ListItem, notes: Note[], title?: string): DraftStep {
  const lead = leadParagraph(item);
  const kids = lead?.children ?? [];
  const bold = kids[0]?.type === 'strong' ? oneLine(textOf(kids[0])) : undefined;
  const fromRest = takeParenthesizedTime(oneLine(kids.slice(bold === undefined ? 0 : 1).map((k) => textOf(k)).join('')));
  const fromBold = bold === undefined || fromRest.time ? { rest: bold ?? '', time: undefined } : takeParenthesizedTime(bold);
  const time = fromRest.time ?? fromBold.time;
  let heading = (title ?? (bold === undefined ? fromRest.rest : fromBold.rest)).replace(STEP_PREFIX, '').replace(/[:.]$/, '').trim();
  let extra = bold === undefined ? '' : fromRest.rest.replace(/^[\s:.,;\-–—]+/, '');
  if (!heading && extra) [heading, extra] = [extra, ''];
  const codes: Code[] = [];
  const text: string[] = extra ? [extra] : [];
  for (const child of item.children.slice(lead ? 1 : 0)) {
    if (child.type === 'code' && isShellCode(child)) codes.push(child);
    else if (child.type === 'list') text.push(...bullets(child));
    else text.push(tidy(textOf(child)));
    if (child.type === 'code' && !isShellCode(child)) {
      notes.push({ level: 'unmapped', line: lineOf(child), message: `${child.lang || 'untagged'} block in step "${heading}" is not shell: kept as text for people to read` });
    }
  }
  const action = blocksAction(codes, notes);
  const description = [...(action.script === undefined ? [] : text), ...action.alternatives.map((a) => `Alternative in the document, not run: ${a}`)];
  const instructions = [...text, ...action.instructions.map((c) => `- ${c}`)];
  return {
    title: heading || `Step at line ${lineOf(item)}`,
    line: lineOf(item),
    time,
    script: action.script,
    scriptLine: action.scriptLine,
    instructions: action.script === undefined ? (instructions.length ? instructions.join('\n') : heading) : undefined,
    description: description.length ? description.join('\n') : undefined,
    effect: action.effect,
    reasons: action.reasons,
  };
}

/** One manual confirmation per checklist item. */
export function checklistSteps(list: List): DraftStep[] {
  return list.children.map((item) => {
    const text = oneLine(textOf(item));
    return { title: text.length > 80 ? `${text.slice(0, 77)}...` : text, line: lineOf(item), instructions: `Confirm: ${text}`, effect: 'read-only', reasons: [] };
  });
}

const mark = (ms: number) => (ms === 0 ? 'T+0' : `T+${yamlDuration(ms)}`);

interface Entry {
  offsetMs: number;
  unitless: boolean;
  step: DraftStep;
}

/** Timeline entries → steps; each lasts until the next mark. The last has only its own time, if any. */
function timeline(entries: Entry[], notes: Note[]): DraftStep[] {
  return entries.map((entry, i) => {
    const next = entries[i + 1];
    const step = entry.step;
    if (entry.unitless) notes.push({ level: 'warning', line: step.line, message: `timeline mark without a unit in "${step.title}": read as minutes` });
    const clock = (ms: number) => ({ startMs: entry.offsetMs, endMs: entry.offsetMs + ms, kind: 'timeline' as const });
    if (!next) {
      if (!step.time) notes.push({ level: 'warning', line: step.line, message: `the last timeline entry "${step.title}" has no end: budgeted ${formatDuration(DEFAULT_MS)}` });
      const time = step.time ?? { ms: DEFAULT_MS, text: 'last entry', note: `the timeline does not say when it ends: budgeted ${formatDuration(DEFAULT_MS)}` };
      return { ...step, time: { ...time, clock: clock(time.ms) } };
    }
    const gap = next.offsetMs - entry.offsetMs;
    const span = `${mark(entry.offsetMs)} to ${mark(next.offsetMs)}`;
    if (gap < 0) return { ...step, time: { ms: 0, text: span, error: `the timeline runs backwards: ${mark(next.offsetMs)} (line ${next.step.line}) comes after ${mark(entry.offsetMs)}` } };
    const time = step.time ?? { ms: gap, text: span, note: `from the timeline: ${span}` };
    return { ...step, time: { ...time, clock: clock(time.ms) } };
  });
}

export function timelineListSteps(list: List, notes: Note[]): DraftStep[] {
  const entries = list.children.map((item): Entry => {
    const mark = readMark(oneLine(textOf(leadParagraph(item) ?? item)))!;
    const own = takeParenthesizedTime(mark.rest);
    const step = itemStep(item, notes, own.rest || undefined);
    return { offsetMs: mark.offsetMs, unitless: mark.unitless, step: { ...step, time: own.time } };
  });
  return timeline(entries, notes);
}

export function timelineTableSteps(table: Table, notes: Note[]): DraftStep[] {
  const rows = table.children.map((row) => row.children.map((cell) => oneLine(textOf(cell))));
  const header = readMark(rows[0]?.[0] ?? '') ? undefined : rows[0];
  const entries = rows.flatMap((cells, r): Entry[] => {
    if (r === 0 && header) return [];
    const at = readMark(cells[0] ?? '')!;
    const { time, rest } = takeParenthesizedTime([at.rest, cells[1] ?? ''].filter(Boolean).join(' — '));
    const title = rest || `Timeline entry ${mark(at.offsetMs)}`;
    const details = cells.slice(2).map((cell, k) => (header?.[k + 2] ? `${header[k + 2]}: ${cell}` : cell)).filter((d) => d.trim());
    const line = lineOf(table.children[r]);
    return [{ offsetMs: at.offsetMs, unitless: at.unitless, step: { title, line, time, instructions: [title, ...details].join('\n'), effect: 'read-only', reasons: [] } }];
  });
  return timeline(entries, notes);
}
