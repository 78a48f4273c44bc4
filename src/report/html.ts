// The run report as one self-contained HTML page (inline CSS and SVG, nothing fetched): the summary,
// the Gantt chart, the step, people and message tables. Built as a hast tree, so every text from the
// runbook or from people is escaped when serialised.
import { h } from 'hastscript';
import { toHtml } from 'hast-util-to-html';
import { formatDuration } from '../runbook/duration.js';
import type { RunReport } from '../runbook/run.js';
import { ganttSvg } from './gantt.js';
import { plannedSchedule, type Span } from './schedule.js';
import { rpoOutcome, rtoOutcome } from './metrics.js';
import { attemptsCell, peopleTimings, runTotals, stepTimings } from './timings.js';

type Node = ReturnType<typeof h>;
type Cell = string | Node | Array<string | Node>;

const iso = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z').replace('T', ' '));
const dur = (ms: number | undefined): string => (ms === undefined ? '—' : formatDuration(ms));

const CSS = `
:root { color-scheme: light; --muted: #6b7280; --line: #e3e6ea; --bad: #d93025; --good: #1e8e3e; --warn: #b26a00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0; padding: 24px 32px 48px; max-width: 1320px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub, footer { color: var(--muted); font-size: 13px; }
td code, .sub code, td > span { white-space: nowrap; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 10px; margin: 18px 0 0; }
.summary div { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.summary dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.summary dd { margin: 2px 0 0; font-size: 15px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600; font-size: 13px; background: #eef0f3; }
.badge.good { background: #e6f4ea; color: var(--good); }
.badge.bad { background: #fce8e6; color: var(--bad); }
.badge.warn { background: #fef3e0; color: var(--warn); }
.chart { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 4px 0; }
.chart svg { display: block; width: 100%; height: auto; min-width: 900px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.over td.over { color: var(--bad); font-weight: 600; }
tr.failed td:first-child { border-left: 3px solid var(--bad); }
.refused { color: var(--bad); }
.at { color: var(--muted); font-size: 12px; }
ul { padding-left: 20px; }
`;

interface Row {
  cells: Cell[];
  class?: string;
  /** Extra classes of single cells, by column. */
  cellClass?: Record<number, string>;
}

function table(head: string[], rows: Row[], numeric: number[] = []): Node {
  const cls = (i: number, extra?: string) => [numeric.includes(i) ? 'num' : '', extra ?? ''].filter(Boolean).join(' ') || undefined;
  return h('table', [
    h('thead', h('tr', head.map((text, i) => h('th', { class: cls(i) }, text)))),
    h('tbody', rows.map((row) => h('tr', { class: row.class }, row.cells.map((cell, i) => h('td', { class: cls(i, row.cellClass?.[i]) }, cell))))),
  ]);
}

function badge(text: string, tone: 'good' | 'bad' | 'warn' | 'plain'): Node {
  return h('span', { class: `badge ${tone}` }, text);
}

function summary(report: RunReport, end: number): Node {
  const totals = runTotals(report, stepTimings(report, end), end);
  const rto = rtoOutcome(report);
  const rpo = rpoOutcome(report);
  const statusTone = report.status === 'succeeded' ? 'good' : report.status === 'failed' || report.status === 'aborted' ? 'bad' : 'warn';
  const item = (term: string, ...value: Cell[]) => h('div', [h('dt', term), h('dd', value.flat())]);
  return h('dl', { class: 'summary' }, [
    item('Status', badge(report.status, statusTone), report.outcome ? ` ${report.outcome}` : ''),
    item('Mode', report.mode),
    item('Started by', report.startedBy ?? '—'),
    item('Started', iso(report.startedAt), h('br'), report.endedAt ? `ended ${iso(report.endedAt)}` : 'still running'),
    item('Actual vs planned', `${dur(totals.elapsedMs)} `, h('span', { class: 'sub' }, `planned ${dur(totals.plannedMs)}`)),
    item('Waiting on people vs executing', `${dur(totals.waitingMs)} waiting · ${dur(totals.executingMs)} executing`),
    item(
      'RTO',
      rto === 'no RTO' ? 'no RTO' : [badge(rto, rto === 'met' || rto === 'on-track' ? 'good' : rto === 'at-risk' ? 'warn' : 'bad'), ` ${dur(report.rto.elapsedMs)} of ${dur(report.objectives.rtoMs)}`],
    ),
    item(
      'RPO achieved',
      report.rpo
        ? [
            rpo === 'no RPO' ? '' : badge(rpo, rpo === 'met' ? 'good' : 'bad'),
            ` ${dur(report.rpo.achievedMs)}${report.objectives.rpoMs === undefined ? '' : ` of ${dur(report.objectives.rpoMs)}`}`,
            h('br'),
            h('span', { class: 'sub' }, `${report.rpo.lastTransactionAt ? `last transaction recovered ${report.rpo.lastTransactionAt} (measured), ` : ''}backup ${report.rpo.backupId ?? '?'}${report.rpo.backupCreatedAt ? ` of ${report.rpo.backupCreatedAt}` : ''} (step ${report.rpo.step})`),
          ]
        : `no restore in this run${report.objectives.rpoMs === undefined ? '' : ` (RPO ${dur(report.objectives.rpoMs)})`}`,
    ),
  ]);
}

const offset = (ms: number) => (ms === 0 ? '0' : `+${formatDuration(ms)}`);
const spanText = (span: Span | undefined) => (span === undefined ? '—' : `${offset(span.from)} → ${offset(span.to)}`);

function stepsTable(report: RunReport, end: number): Node {
  const plan = plannedSchedule(report.steps).steps;
  const rows = stepTimings(report, end).map((t) => {
    const over = t.overMs !== undefined && t.overMs > 0;
    const planned = plan.get(t.record.id);
    const ran = t.record.startedAt === undefined ? undefined : { from: t.record.startedAt - report.startedAt, to: (t.record.endedAt ?? end) - report.startedAt };
    return {
      class: [over ? 'over' : '', t.record.status === 'failed' ? 'failed' : ''].filter(Boolean).join(' ') || undefined,
      cellClass: { 6: 'over' },
      cells: [
        h('span', { style: `padding-left:${t.depth * 18}px` }, [t.depth > 0 ? '↳ ' : '', h('code', t.record.id)]),
        t.record.title,
        t.record.kind,
        t.record.status + (t.record.overrunAt !== undefined ? ' ⚠ overrun' : ''),
        [dur(t.record.budgetMs), h('br'), h('span', { class: 'at' }, spanText(planned?.planned) + (planned?.critical ? ' ◆' : ''))],
        ran === undefined ? '—' : [dur(t.actualMs), h('br'), h('span', { class: 'at' }, spanText(ran))],
        over ? `+${formatDuration(t.overMs!)}` : '—',
        t.waitingMs > 0 ? dur(t.waitingMs) : '—',
        t.actualMs === undefined ? '—' : dur(t.executingMs),
        attemptsCell(t.record),
        t.people.join('; ') || '—',
      ],
    };
  });
  return table(
    ['step', 'title', 'kind', 'status', 'planned', 'actual', 'over', 'waiting on people', 'executing', 'attempts', 'people'],
    rows,
    [4, 5, 6, 7, 8, 9],
  );
}

/** The report as a complete HTML document. `now` ends a run still running. */
export function renderHtml(report: RunReport, now = Date.now()): string {
  const end = report.endedAt ?? now;
  const kind = report.mode === 'drill' ? 'Drill' : report.mode === 'dry-run' ? 'Dry run' : 'Run';
  const title = `${kind} report: ${report.runbook.title}`;
  const body: Node[] = [
    h('h1', title),
    h('p', { class: 'sub' }, [
      'Run ',
      h('code', report.workflowId),
      ' · runbook ',
      h('code', report.runbook.id),
      ` (${report.runbook.file}, sha256 `,
      h('code', report.runbook.sha256.slice(0, 16)),
      ')',
    ]),
    summary(report, end),
    h('h2', 'Timeline'),
    h('div', { class: 'chart' }, ganttSvg(report, end)),
    h('h2', 'Steps'),
    h('p', { class: 'sub' }, 'Under each duration, when it was planned and when it ran, as offsets from the run\'s start; ◆ marks the critical path of the plan.'),
    stepsTable(report, end),
  ];
  const noted = report.steps.filter((s) => s.error || s.note);
  if (noted.length > 0) {
    body.push(h('h2', 'Notes and errors'), h('ul', noted.map((s) => h('li', [h('code', s.id), `: ${[s.note, s.error].filter(Boolean).join(' — ')}`]))));
  }
  const redispatched = report.steps.flatMap((s) => (s.redispatches ?? []).map((r) => ({ step: s.id, ...r })));
  if (redispatched.length > 0) {
    body.push(
      h('h2', 'Re-dispatched by the infrastructure'),
      h('p', { class: 'sub' }, 'Not attempts of the step: its action ran again because a dispatch was lost (purple in the timeline). At-least-once: it may have run twice.'),
      h('ul', redispatched.map((r) => h('li', [`${iso(r.at)} `, h('code', r.step), ` (attempt ${r.attempt}): ${r.reason}, stalled ${dur(r.stallMs)} — ${r.detail}`]))),
    );
    const check = report.steps.filter((s) => s.checkRedispatch);
    if (check.length > 0) body.push(h('p', h('strong', 'To check by a person:')), h('ul', check.map((s) => h('li', [h('code', s.id), `: ${s.checkRedispatch}`]))));
  }
  const people = peopleTimings(report);
  if (people.length > 0) {
    body.push(
      h('h2', 'Time waiting on people'),
      table(
        ['person', 'answers', 'total time to answer', 'slowest', 'steps'],
        people.map((p) => ({ cells: [p.person, String(p.answers), dur(p.totalMs), dur(p.slowestMs), p.steps.join(', ')] })),
        [1, 2, 3],
      ),
    );
  }
  const escalations = report.steps.flatMap((s) => s.escalations.map((e) => ({ step: s.id, ...e })));
  if (escalations.length > 0) {
    body.push(h('h2', 'Escalations'), h('ul', escalations.map((e) => h('li', [`${iso(e.at)} `, h('code', e.step), ` widened to ${e.roles.join(', ')}`]))));
  }
  if (report.audit.length > 0) {
    body.push(
      h('h2', 'Messages from people'),
      table(
        ['time', 'message', 'via', 'by', 'step', 'result', 'comment'],
        report.audit.map((a) => ({
          cells: [
            iso(a.at),
            a.message === 'unknown' ? `${a.name ?? '?'} (unknown)` : a.decision ? `${a.message} ${a.decision}` : a.message,
            a.via,
            a.by,
            a.step ?? '—',
            a.accepted ? 'accepted' : h('span', { class: 'refused' }, `refused: ${a.reason ?? ''}`),
            a.comment ?? '',
          ],
        })),
      ),
    );
  }
  const events = report.events.filter((e) => e.type !== 'run-started' && e.type !== 'run-finished');
  if (events.length > 0) body.push(h('h2', 'Events'), h('ul', events.map((e) => h('li', `${iso(e.at)} ${e.type}: ${e.detail}`))));
  if (report.warnings.length > 0) body.push(h('h2', 'Runbook warnings'), h('ul', report.warnings.map((w) => h('li', w))));
  body.push(h('footer', `Generated by dr on ${iso(now)}. Notifications: ${report.notifications.sent} sent, ${report.notifications.suppressed} suppressed, ${report.notifications.failed} failed.`));
  const page = h('html', { lang: 'en' }, [
    h('head', [h('meta', { charset: 'utf-8' }), h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }), h('title', title), h('style', CSS)]),
    h('body', body),
  ]);
  return `<!doctype html>\n${toHtml(page)}\n`;
}
