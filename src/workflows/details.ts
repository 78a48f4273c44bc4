// The run's "current details" in the Temporal UI (Markdown): verdict, RTO, who it waits for with the
// exact Send Signal payload, refused messages, the verdicts once it ended, and a table of every step's budget against its actual time, so someone
// on the UI alone can follow a run and read its timings afterwards.
import { formatDuration } from '../runbook/duration.js';
import type { Mode } from '../runbook/model.js';
import type { RpoEvidence } from '../runbook/rpo.js';
import type { AuditEntry, RtoState, RunStatus, StepRecord } from '../runbook/run.js';
import { waitingMs } from './observe.js';

export interface DetailsInput {
  title: string;
  mode: Mode;
  status: RunStatus;
  rto: RtoState;
  rtoMs?: number;
  rpoMs?: number;
  /** What the run's restores achieved; given once the run ended. */
  rpo?: RpoEvidence;
  workflowId: string;
  records: Iterable<StepRecord>;
  /** Step id → what it waits for, who may answer ("oncall (dana), backend-lead (lee)"), approvals so far. */
  waiting: Iterable<[string, { for: string; who: string; approvals?: string }]>;
  /** Messages refused so far (the last few are shown). */
  refused?: readonly AuditEntry[];
  outcome?: string;
  now: number;
}

const ENDED: readonly RunStatus[] = ['succeeded', 'failed', 'aborted', 'planned'];
const REFUSED_SHOWN = 3;

/** Markdown for setCurrentDetails. */
export function runDetails(d: DetailsInput): string {
  const ended = ENDED.includes(d.status);
  const lines = [`**${d.title}** (${d.mode}): **${d.status}**${d.outcome ? ` — ${d.outcome}` : ''}`, ''];
  lines.push(rtoLine(d, ended), '');
  if (ended && d.rpoMs !== undefined && d.status !== 'planned') {
    lines.push(
      d.rpo
        ? `RPO ${formatDuration(d.rpoMs)}: **${d.rpo.achievedMs <= d.rpoMs ? 'met' : 'missed'}** — ${formatDuration(d.rpo.achievedMs)} of data lost${d.rpo.backupId ? ` (backup ${d.rpo.backupId})` : ''}`
        : `RPO ${formatDuration(d.rpoMs)}: no restore in this run, nothing to measure`,
      '',
    );
  }
  const waiting = [...d.waiting];
  for (const [id, w] of waiting) {
    const signal = w.for === 'approval' ? 'approve' : w.for === 'completion' ? 'complete' : 'decide';
    const payload = signal === 'decide' ? `{"step": "${id}", "by": "<you>", "decision": "retry"}` : `{"step": "${id}", "by": "<you>"}`;
    const count = w.approvals ? `, ${w.approvals} given` : '';
    lines.push(
      `**Waiting on people**: step \`${id}\` (${w.for}${count}), answered by ${w.who}. Send Signal \`${signal}\` with \`${payload}\`, or \`dr ${signal} ${d.workflowId} ${id} --as <you>\``,
      '',
    );
  }
  const refused = d.refused ?? [];
  for (const a of refused.slice(-REFUSED_SHOWN)) {
    const what = a.message === 'unknown' ? `signal \`${a.name ?? '?'}\`` : `\`${a.message}\``;
    lines.push(`Refused ${what} from ${a.by}${a.step ? ` for \`${a.step}\`` : ''}: ${a.reason ?? ''}`, '');
  }
  if (refused.length > REFUSED_SHOWN) lines.push(`(${refused.length - REFUSED_SHOWN} earlier refused message(s): \`dr report ${d.workflowId}\`)`, '');
  lines.push(`Next: ${nextAction(d, ended, waiting.length)}`, '');
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

/** While the run goes: the forecast; once it ended: the verdict with its figures. */
function rtoLine(d: DetailsInput, ended: boolean): string {
  if (d.rtoMs === undefined) return `No RTO; ${ended ? 'took' : 'elapsed'} ${formatDuration(d.rto.elapsedMs)}`;
  if (ended && d.status !== 'planned') {
    const met = d.rto.status !== 'breached';
    return `RTO ${formatDuration(d.rtoMs)}: **${met ? 'met' : 'missed'}** — took ${formatDuration(d.rto.elapsedMs)} of ${formatDuration(d.rtoMs)}`;
  }
  return `RTO ${formatDuration(d.rtoMs)}: **${d.rto.status}** — elapsed ${formatDuration(d.rto.elapsedMs)}, forecast ${formatDuration(d.rto.forecastMs)}`;
}

function nextAction(d: DetailsInput, ended: boolean, waiting: number): string {
  if (ended) return `read the report: \`dr report ${d.workflowId}\` (or this run's Result)`;
  if (waiting > 0) return `the people named above answer (Send Signal, or the \`dr\` command shown)`;
  const running = [...d.records].filter((r) => r.status === 'running' && r.kind !== 'parallel').map((r) => `\`${r.id}\``);
  return running.length ? `nothing to do; the run is on ${running.join(', ')}` : 'nothing to do; the run goes on by itself';
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
