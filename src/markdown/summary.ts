// The import summary for people: the runbooks written, then every finding at its source line,
// grouped as mapped, not mapped, warnings and errors (contradictions), errors last so they show.
import { formatDuration } from '../runbook/duration.js';
import { yamlDuration } from './build.js';
import type { ImportResult } from './index.js';
import type { Note, NoteLevel } from './types.js';

const HEADINGS: Array<[NoteLevel, string]> = [
  ['mapped', 'Mapped'],
  ['unmapped', 'Not mapped'],
  ['warning', 'Warnings'],
  ['error', 'Errors (contradictions in the document)'],
];

/** Counts of findings by level. */
export function countNotes(notes: readonly Note[]): Record<NoteLevel, number> {
  const counts: Record<NoteLevel, number> = { mapped: 0, unmapped: 0, warning: 0, error: 0 };
  for (const note of notes) counts[note.level]++;
  return counts;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** The summary as text; `where` says where runbooks were (or would be) written, `verbose` lists mapped findings. */
export function formatSummary(result: ImportResult, file: string, where: string, verbose = true): string {
  const out: string[] = [];
  const counts = countNotes(result.notes);
  const unclassified = result.notes.filter((n) => n.unclassified).length;
  out.push(`${file}: ${result.runbooks.length} runbook(s) ${where}, ${counts.error} error(s), ${counts.warning} warning(s), ${counts.unmapped} part(s) not mapped${unclassified ? ` (${unclassified} not classified)` : ''}`);
  if (result.runbooks.length) {
    out.push('', 'Runbooks');
    const width = Math.max(...result.runbooks.map((r) => r.fileName.length)) + 2;
    for (const r of result.runbooks) {
      const objectives = [r.rtoMs === undefined ? 'no RTO stated' : `RTO ${yamlDuration(r.rtoMs)}`, r.rpoMs === undefined ? undefined : `RPO ${yamlDuration(r.rpoMs)}`];
      const facts = [`${r.steps} step(s)`, `${formatDuration(r.plannedMs)} planned`, ...objectives].filter(Boolean).join(', ');
      out.push(`  ${pad(r.fileName, width)}${file}:${r.line} "${r.title}": ${facts}`);
    }
  }
  for (const [level, heading] of HEADINGS) {
    const notes = result.notes.filter((n) => n.level === level);
    if (notes.length === 0 || (level === 'mapped' && !verbose)) continue;
    out.push('', heading);
    for (const note of notes) out.push(`  ${pad(`${file}:${note.line}`, file.length + 6)}${note.runbook ? `${note.runbook}: ` : ''}${note.message}${note.unclassified ? ' [not classified]' : ''}`);
  }
  return out.join('\n');
}
