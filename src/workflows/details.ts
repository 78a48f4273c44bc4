// The run's "current details" in the Temporal UI (Markdown): verdict, RTO, who it waits for with the
// exact Send Signal payload, and a table of every step's budget against its actual time, so someone
// on the UI alone can follow a run and read its timings afterwards.
import { formatDuration } from '../runbook/duration.js';
import type { Mode } from '../runbook/model.js';
import type { RtoState, RunStatus, StepRecord } from '../runbook/run.js';
import { waitingMs } from './observe.js';

export interface DetailsInput {
  title: string;
  mode: Mode;
  status: RunStatus;
  rto: RtoState;
  rtoMs?: number;
  workflowId: string;
  records: Iterable<StepRecord>;
  /** Step id → what it waits for. */
  waiting: Iterable<[string, { for: string }]>;
  outcome?: string;
  now: number;
}


/** Markdown for setCurrentDetails. */
export function runDetails(d: DetailsInput): string {
  const lines = [`**${d.title}** (${d.mode}): **${d.status}**${d.outcome ? ` — ${d.outcome}` : ''}`, ''];
  lines.push(
    d.rtoMs === undefined
      ? `No RTO; elapsed ${formatDuration(d.rto.elapsedMs)}`
      : `RTO ${formatDuration(d.rtoMs)}: **${d.rto.status}** — elapsed ${formatDuration(d.rto.elapsedMs)}, forecast ${formatDuration(d.rto.forecastMs)}`,
    '',
  );
  for (const [id, w] of d.waiting) {
    const signal = w.for === 'approval' ? 'approve' : w.for === 'completion' ? 'complete' : 'decide';
    const payload = signal === 'decide' ? `{"step": "${id}", "by": "<you>", "decision": "retry"}` : `{"step": "${id}", "by": "<you>"}`;
    lines.push(`**Waiting on people**: step \`${id}\` (${w.for}). Send Signal \`${signal}\` with \`${payload}\`, or \`dr ${signal} ${d.workflowId} ${id} --as <you>\``, '');
  }
  lines.push(row(['step', 'status', 'budget', 'actual', 'waiting on people']), '|:---|:---|---:|---:|---:|');
  for (const r of d.records) {
    const ran = r.startedAt !== undefined;
    const actual = ran ? formatDuration((r.endedAt ?? d.now) - r.startedAt!) + (r.endedAt === undefined ? ' so far' : '') : '';
    const waited = waitingMs(r, d.now);
    const name = `${r.parentId ? '↳ ' : ''}\`${r.id}\` ${escape(r.title)}`;
    const over = r.overrunAt !== undefined ? ' (over budget)' : '';
    lines.push(row([name, `${r.status}${over}`, r.budgetMs > 0 ? formatDuration(r.budgetMs) : '', actual, waited > 0 ? formatDuration(waited) : '']));
  }
  return lines.join('\n');
}

// The UI renders the table without cell padding ("succeeded30s"): non-breaking spaces before every
// column but the first keep the columns apart. Raw characters, not `&nbsp;`: the UI shows entities
// as typed, and plain spaces are trimmed from cells.
const GAP = '\u00a0\u00a0\u00a0';

function row(cells: string[]): string {
  return `| ${cells.map((c, i) => (i === 0 || c === '' ? c : GAP + c)).join(' | ')} |`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
