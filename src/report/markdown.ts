// The run report as Markdown: what a team reads after a drill.
import { markdownTable } from 'markdown-table';
import { formatDuration } from '../runbook/duration.js';
import type { RunReport } from '../runbook/run.js';
import { rpoOutcome, rtoOutcome } from './metrics.js';
import { safetyRows } from './safety.js';
import { attemptsCell, peopleTimings, runTotals, stepTimings } from './timings.js';

const iso = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const dur = (ms: number | undefined): string => (ms === undefined ? '—' : formatDuration(ms));

/** A drill's set-up sub-runs (drill.setup): what ran, how long, and that the RTO clock started after. */
function setupLine(report: RunReport, end: number): string[] {
  const setup = report.steps.filter((s) => s.phase === 'setup');
  if (setup.length === 0) return [];
  const from = Math.min(...setup.map((s) => s.startedAt ?? end));
  const to = Math.max(...setup.map((s) => s.endedAt ?? (s.startedAt === undefined ? from : end)));
  const ran = setup.map((s) => `\`${s.id}\` ${s.status}`).join(', ');
  return [`- Drill set-up ${ran} · took ${dur(to - from)}, before the RTO clock started (RTO achieved counts from its end)`];
}

export function renderMarkdown(report: RunReport, now = Date.now()): string {
  const end = report.endedAt ?? now;
  const timings = stepTimings(report, end);
  const totals = runTotals(report, timings, end);
  const kind = report.mode === 'drill' ? 'Drill' : report.mode === 'dry-run' ? 'Dry run' : 'Run';
  const lines: string[] = [
    `# ${kind} report: ${report.runbook.title}`,
    '',
    `- Run: \`${report.workflowId}\` (runbook \`${report.runbook.id}\`, ${report.runbook.file}, sha256 \`${report.runbook.sha256.slice(0, 16)}\`)`,
    `- Mode: ${report.mode} · Status: **${report.status}**${report.outcome ? ` — ${report.outcome}` : ''}${report.startedBy ? ` · started by ${report.startedBy}` : ''}`,
    `- Started ${iso(report.startedAt)} · ${report.endedAt ? `ended ${iso(report.endedAt)}` : 'still running'} · took ${dur(totals.elapsedMs)} (planned ${dur(totals.plannedMs)})`,
    `- Waiting on people ${dur(totals.waitingMs)} · executing ${dur(totals.executingMs)}${totals.stalledMs > 0 ? ` · stalled on lost dispatches ${dur(totals.stalledMs)}` : ''}`,
    ...setupLine(report, end),
    '',
    '## Objectives',
    '',
    markdownTable([
      ['objective', 'target', 'achieved', 'verdict'],
      ['RTO', dur(report.objectives.rtoMs), dur(report.rto.elapsedMs), rtoVerdict(report)],
      ['RPO', dur(report.objectives.rpoMs), report.rpo ? `${dur(report.rpo.achievedMs)} (${report.rpo.lastTransactionAt ? `last transaction recovered ${report.rpo.lastTransactionAt}, measured; ` : ''}backup ${report.rpo.backupId ?? '?'}${report.rpo.backupCreatedAt ? ` of ${report.rpo.backupCreatedAt}` : ''})` : '—', rpoVerdict(report)],
    ]),
    '',
    '## Steps',
    '',
    markdownTable(
      [
        ['step', 'kind', 'status', 'planned', 'actual', 'over', 'waiting on people', 'executing', 'attempts', 'people'],
        ...timings.map((t) => [
          `${'↳ '.repeat(t.depth)}${t.record.id}`,
          t.record.kind,
          t.record.status + (t.record.overrunAt !== undefined ? ' ⚠ overrun' : ''),
          t.record.phase === 'setup' && t.record.budgetMs === 0 ? '—' : dur(t.record.budgetMs),
          dur(t.actualMs),
          t.overMs === undefined ? '—' : t.overMs > 0 ? `+${formatDuration(t.overMs)}` : '—',
          t.waitingMs > 0 ? dur(t.waitingMs) : '—',
          t.actualMs === undefined ? '—' : dur(t.executingMs),
          attemptsCell(t.record),
          t.people.join('; ') || '—',
        ]),
      ],
      { align: ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] },
    ),
  ];
  const safety = safetyRows(report);
  if (safety.length > 0) {
    lines.push('', '## Steps that change state', '');
    lines.push(markdownTable([['step', 'effect', 'what the run did', 'why it counts as a change'], ...safety.map((r) => [r.step, r.effect, r.handling, r.why])]));
  }
  const failed = timings.filter((t) => t.record.error || t.record.note);
  if (failed.length > 0) {
    lines.push('', '## Notes and errors', '');
    for (const t of failed) lines.push(`- \`${t.record.id}\`: ${[t.record.note, t.record.error].filter(Boolean).join(' — ')}`);
  }
  lines.push(...redispatchSection(report));
  const people = peopleTimings(report);
  if (people.length > 0) {
    lines.push('', '## Time waiting on people', '');
    lines.push(
      markdownTable(
        [
          ['person', 'answers', 'total time to answer', 'slowest', 'steps'],
          ...people.map((p) => [p.person, String(p.answers), dur(p.totalMs), dur(p.slowestMs), p.steps.join(', ')]),
        ],
        { align: ['l', 'r', 'r', 'r', 'l'] },
      ),
    );
  }
  const escalated = report.steps.filter((s) => s.escalations.length > 0);
  if (escalated.length > 0) {
    lines.push('', '## Escalations', '');
    for (const s of escalated) {
      for (const e of s.escalations) lines.push(`- ${iso(e.at)} \`${s.id}\` widened to ${e.roles.join(', ')}`);
    }
  }
  if (report.audit.length > 0) {
    lines.push('', '## Messages from people', '');
    lines.push(
      markdownTable([
        ['time', 'message', 'via', 'by', 'step', 'result', 'comment'],
        ...report.audit.map((a) => [
          iso(a.at),
          a.message === 'unknown' ? `${a.name ?? '?'} (unknown)` : a.decision ? `${a.message} ${a.decision}` : a.message,
          a.via,
          a.by,
          a.step ?? '—',
          a.accepted ? 'accepted' : `refused: ${a.reason ?? ''}`,
          a.comment ?? '',
        ]),
      ]),
    );
  }
  const events = report.events.filter((e) => e.type !== 'run-started' && e.type !== 'run-finished');
  if (events.length > 0) {
    lines.push('', '## Events', '');
    for (const e of events) lines.push(`- ${iso(e.at)} ${e.type}: ${e.detail}`);
  }
  if (report.warnings.length > 0) {
    lines.push('', '## Runbook warnings', '');
    for (const w of report.warnings) lines.push(`- ${w}`);
  }
  return lines.join('\n') + '\n';
}

function rtoVerdict(report: RunReport): string {
  const outcome = rtoOutcome(report);
  if (outcome === 'breached') return '**breached**';
  if (outcome === 'on-track' || outcome === 'at-risk') return `${outcome} (forecast ${dur(report.rto.forecastMs)})`;
  return outcome === 'not recovered' ? `not recovered (${report.status})` : outcome;
}

function rpoVerdict(report: RunReport): string {
  const outcome = rpoOutcome(report);
  if (outcome === 'missed') return '**missed**';
  return outcome === 'no restore' ? 'no restore in this run' : outcome;
}

/** Steps Temporal's infrastructure dispatched again (lost worker, server outage), and those to check. */
function redispatchSection(report: RunReport): string[] {
  const steps = report.steps.filter((s) => (s.redispatches?.length ?? 0) > 0);
  if (steps.length === 0) return [];
  const lines = ['', '## Re-dispatched by the infrastructure', ''];
  lines.push('Not attempts of the step: its action ran again because a dispatch was lost. At-least-once: it may have run twice.', '');
  for (const s of steps) {
    for (const r of s.redispatches!) lines.push(`- ${iso(r.at)} \`${s.id}\` (attempt ${r.attempt}): ${r.reason}, stalled ${dur(r.stallMs)} — ${r.detail}`);
  }
  const check = report.steps.filter((s) => s.checkRedispatch);
  if (check.length > 0) {
    lines.push('', '**To check by a person:**', '');
    for (const s of check) lines.push(`- \`${s.id}\`: ${s.checkRedispatch}`);
  }
  return lines;
}
