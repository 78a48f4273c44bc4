// The run as an SVG Gantt chart of two schedules: the plan (each step where the runbook's order and
// parallel groups put it, its budget long, the critical path dark, the RTO line) and the actual run
// (real start and end, executing apart from waiting on people and re-dispatch stalls, the part past
// the budget hatched). When the two differ by orders of magnitude (a drill of seconds against a plan
// of hours) each gets its own panel and scale, side by side, so both stay readable. Every bar has its
// figures as a tooltip (<title>). Built as a hast tree (hastscript), so every text is escaped.
import { s } from 'hastscript';
import { toHtml } from 'hast-util-to-html';
import { formatDuration } from '../runbook/duration.js';
import type { RunReport, StepStatus } from '../runbook/run.js';
import { actualSchedule, plannedSchedule, type ActualStep, type Span } from './schedule.js';
import { stepTimings } from './timings.js';

export type { Span } from './schedule.js';

type Node = ReturnType<typeof s>;

/** Geometry in SVG user units: the label column, then one panel (or two side by side, `gap` apart). */
export const GANTT = { width: 1200, labelWidth: 320, right: 28, gap: 36, top: 62, rowHeight: 30, bottom: 86 } as const;

/** Above this ratio between the plan's and the actual run's spans, each gets its own panel. */
export const SPLIT_RATIO = 8;

const COLOURS = {
  planned: '#c9ced6',
  critical: '#7d8797',
  executing: '#2f6fde',
  waiting: '#f2a33a',
  stall: '#8e44ad',
  over: '#d93025',
  failed: '#a50e0e',
  group: '#4a5160',
  grid: '#e3e6ea',
  text: '#1f2328',
  muted: '#6b7280',
};

/** One row of the chart: times in ms since the run started; geometry comes from the axes. */
export interface GanttRow {
  id: string;
  title: string;
  depth: number;
  status: StepStatus;
  /** A parallel group: drawn as a bracket over its branches. */
  group: boolean;
  budgetMs: number;
  planned: Span;
  critical: boolean;
  actual?: ActualStep;
  actualMs?: number;
  overMs?: number;
  waitingMs: number;
  /** Actual start minus planned start. */
  lateMs?: number;
}

/** One time axis: offsets 0..`endMs` onto x from `x0` to `x1`. */
export interface Axis {
  x0: number;
  x1: number;
  endMs: number;
  tickMs: number;
  x(ms: number): number;
}

export interface GanttLayout {
  /** The run's start, epoch ms: every span is an offset from it. */
  start: number;
  rows: GanttRow[];
  plannedMs: number;
  rtoMs?: number;
  /** The run's duration, or up to `now` while it runs. */
  elapsedMs: number;
  running: boolean;
  /** Two panels with their own scales; otherwise `plan` and `actual` are the same axis. */
  split: boolean;
  plan: Axis;
  actual: Axis;
  height: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TICKS = [1, 2, 5, 10, 15, 30].map((n) => n * SECOND).concat([1, 2, 5, 10, 15, 30].map((n) => n * MINUTE), [1, 2, 3, 6, 12, 24, 48].map((n) => n * HOUR));

/** The smallest readable tick step that cuts `spanMs` into at most 8 intervals. */
export function tickStep(spanMs: number): number {
  return TICKS.find((t) => spanMs / t <= 8) ?? Math.ceil(spanMs / 8 / (24 * HOUR)) * 24 * HOUR;
}

const round = (n: number) => Math.round(n * 100) / 100;

function axis(x0: number, x1: number, latestMs: number): Axis {
  const tickMs = tickStep(Math.max(latestMs, SECOND));
  const endMs = Math.max(1, Math.ceil(latestMs / tickMs)) * tickMs;
  return { x0, x1, endMs, tickMs, x: (ms) => round(x0 + (ms * (x1 - x0)) / endMs) };
}

/** Rows, panels and scales of the chart; `now` ends steps and runs still running. */
export function ganttLayout(report: RunReport, now = report.endedAt ?? Date.now()): GanttLayout {
  const end = report.endedAt ?? now;
  const plan = plannedSchedule(report.steps);
  const rows: GanttRow[] = stepTimings(report, end).map((t) => {
    const r = t.record;
    const planned = plan.steps.get(r.id)!;
    const actual = actualSchedule(report, r, end);
    return {
      id: r.id,
      title: r.title,
      depth: t.depth,
      status: r.status,
      group: r.kind === 'parallel',
      budgetMs: r.budgetMs,
      planned: planned.planned,
      critical: planned.critical,
      actual,
      actualMs: t.actualMs,
      overMs: t.overMs,
      waitingMs: t.waitingMs,
      lateMs: actual === undefined ? undefined : actual.span.from - planned.planned.from,
    };
  });
  const rtoMs = report.objectives.rtoMs;
  const elapsedMs = end - report.startedAt;
  const planLatest = Math.max(plan.totalMs, rtoMs ?? 0);
  const actualLatest = Math.max(elapsedMs, ...rows.map((r) => r.actual?.span.to ?? 0));
  const split = Math.max(planLatest, actualLatest) / Math.max(Math.min(planLatest, actualLatest), SECOND) > SPLIT_RATIO;
  const { width, labelWidth, right, gap, top, rowHeight, bottom } = GANTT;
  let planAxis: Axis;
  let actualAxis: Axis;
  if (split) {
    const panel = (width - labelWidth - right - gap) / 2;
    planAxis = axis(labelWidth, labelWidth + panel, planLatest);
    // The RTO joins the actual panel only when the run got near it (or past it).
    actualAxis = axis(labelWidth + panel + gap, width - right, actualLatest);
  } else {
    planAxis = actualAxis = axis(labelWidth, width - right, Math.max(planLatest, actualLatest));
  }
  return {
    start: report.startedAt,
    rows,
    plannedMs: plan.totalMs,
    rtoMs,
    elapsedMs,
    running: report.endedAt === undefined,
    split,
    plan: planAxis,
    actual: actualAxis,
    height: top + rows.length * rowHeight + bottom,
  };
}

const dur = (ms: number) => (ms === 0 ? '0' : formatDuration(ms));
const at = (ms: number) => (ms === 0 ? '0' : `+${formatDuration(ms)}`);
const spanText = (span: Span) => `${at(span.from)} → ${at(span.to)}`;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function rect(cls: string, x1: number, x2: number, y: number, height: number, fill: string, tooltip?: string, extra: Record<string, string | number> = {}): Node {
  return s('rect', { class: cls || undefined, x: x1, y, width: round(Math.max(1, x2 - x1)), height, fill, ...extra }, tooltip ? [s('title', tooltip)] : []);
}

function bracket(cls: string, axis: Axis, span: Span, y: number, height: number, colour: string, tooltip: string): Node[] {
  const [a, b] = [axis.x(span.from), axis.x(span.to)];
  const mid = y + height / 2 - 2;
  return [
    rect(cls, a, b, mid, 4, colour, tooltip),
    rect(`${cls}-end`, a, a + 2, y, height, colour),
    rect(`${cls}-end`, b - 2, b, y, height, colour),
  ];
}

/** Where the plan and actual bars of a row sit: one above the other on a shared scale, centred in panels. */
function lanes(layout: GanttLayout, y: number) {
  return layout.split ? { plan: { y: y + 8, h: 14 }, actual: { y: y + 8, h: 14 } } : { plan: { y: y + 5, h: 8 }, actual: { y: y + 15, h: 12 } };
}

/** The row's whole story, shown when hovering anything in it without a tooltip of its own. */
function rowSummary(row: GanttRow): string {
  const parts = [`${row.id}: ${row.title} (${row.status})`, `planned ${spanText(row.planned)}, budget ${dur(row.budgetMs)}${row.critical ? ', critical path' : ''}`];
  if (row.actual) {
    parts.push(`actual ${spanText(row.actual.span)} (${dur(row.actual.span.to - row.actual.span.from)})`);
    if (row.waitingMs > 0) parts.push(`waiting on people ${dur(row.waitingMs)}`);
    if (row.lateMs !== undefined && row.lateMs !== 0) parts.push(`started ${dur(Math.abs(row.lateMs))} ${row.lateMs > 0 ? 'later' : 'earlier'} than planned`);
    if (row.overMs !== undefined && row.overMs > 0) parts.push(`${dur(row.overMs)} over budget`);
  }
  return parts.join('; ');
}

function drawPlanned(layout: GanttLayout, row: GanttRow, y: number): Node[] {
  const { plan } = lanes(layout, y);
  const tip = `${row.id} planned ${spanText(row.planned)}: ${row.group ? 'its longest branch' : 'budget'} ${dur(row.planned.to - row.planned.from)}${row.critical ? ', on the critical path' : ''}`;
  if (row.planned.to === row.planned.from) return [];
  if (row.group) return bracket('planned-group', layout.plan, row.planned, plan.y, plan.h, row.critical ? COLOURS.critical : COLOURS.planned, tip);
  return [rect(row.critical ? 'planned critical' : 'planned', layout.plan.x(row.planned.from), layout.plan.x(row.planned.to), plan.y, plan.h, row.critical ? COLOURS.critical : COLOURS.planned, tip)];
}

function drawActual(layout: GanttLayout, row: GanttRow, y: number): Node[] {
  const a = row.actual;
  if (!a) return [];
  const { actual: lane } = lanes(layout, y);
  const { x } = layout.actual;
  if (row.group) return bracket('group', layout.actual, a.span, lane.y, lane.h, COLOURS.group, `${row.id} ran ${spanText(a.span)} (${dur(a.span.to - a.span.from)})`);
  const out: Node[] = [
    // A failed step's executing time is drawn red: where the run broke is the first thing to find.
    ...a.executing.map((w) => rect('executing', x(w.from), x(w.to), lane.y, lane.h, row.status === 'failed' ? COLOURS.failed : COLOURS.executing, `${row.id} executing ${spanText(w)} (${dur(w.to - w.from)})`)),
    ...a.waiting.map((w) => rect('waiting', x(w.from), x(w.to), lane.y, lane.h, COLOURS.waiting, `${row.id} waiting on people ${spanText(w)} (${dur(w.to - w.from)})`)),
    ...a.stalls.map((w) => rect('stall', x(w.from), x(w.to), lane.y, lane.h, COLOURS.stall, `${row.id} re-dispatch stall ${spanText(w)} (${dur(w.to - w.from)}): ${w.reason}`)),
  ];
  if (a.over) {
    out.push(
      rect('over', x(a.over.from), x(a.over.to), lane.y - 0.5, lane.h + 1, 'url(#over-hatch)', `${row.id} over budget by ${dur(a.over.to - a.over.from)}: its ${dur(row.budgetMs)} ran out at ${at(a.over.from)}`, {
        stroke: COLOURS.over,
        'stroke-width': 1.5,
      }),
    );
  }
  const notes = [row.overMs !== undefined && row.overMs > 0 ? `+${dur(row.overMs)} over` : '', ['failed', 'cancelled'].includes(row.status) ? row.status : ''].filter(Boolean).join(' · ');
  if (notes) {
    // After the bar when there is room, else before it, else inside it.
    const [from, to] = [x(a.span.from), x(a.span.to)];
    const room = notes.length * 6.5 + 8;
    const place =
      to + room < layout.actual.x1 + GANTT.right
        ? { x: to + 5, anchor: 'start', fill: COLOURS.over }
        : from - room > layout.actual.x0
          ? { x: from - 5, anchor: 'end', fill: COLOURS.over }
          : { x: to - 4, anchor: 'end', fill: '#ffffff' };
    out.push(s('text', { class: 'note', x: place.x, y: lane.y + lane.h - 2, 'text-anchor': place.anchor, fill: place.fill, 'font-size': 11, 'font-weight': 'bold' }, notes));
  }
  return out;
}

function drawRow(layout: GanttLayout, row: GanttRow, index: number): Node {
  const y = GANTT.top + index * GANTT.rowHeight;
  const indent = 12 + row.depth * 18;
  const label = `${row.depth > 0 ? '↳ ' : ''}${row.title}`;
  return s('g', { class: `row ${row.status}`, 'data-step': row.id }, [
    s('title', rowSummary(row)),
    s('text', { class: 'label', x: indent, y: y + 19, fill: row.status === 'skipped' ? COLOURS.muted : COLOURS.text }, clip(label, 30 - row.depth * 3)),
    s(
      'text',
      { class: 'figures', x: GANTT.labelWidth - 14, y: y + 19, 'text-anchor': 'end', fill: COLOURS.muted },
      row.actualMs === undefined ? `${row.status} / ${dur(row.budgetMs)}` : `${dur(row.actualMs)} / ${dur(row.budgetMs)}`,
    ),
    ...drawPlanned(layout, row, y),
    ...drawActual(layout, row, y),
  ]);
}

function drawAxis(axis: Axis, cls: string, chartBottom: number): Node[] {
  const out: Node[] = [];
  for (let t = 0; t <= axis.endMs; t += axis.tickMs) {
    out.push(
      s('line', { class: 'tick', x1: axis.x(t), x2: axis.x(t), y1: GANTT.top - 8, y2: chartBottom, stroke: COLOURS.grid }),
      s('text', { class: `tick-label ${cls}`, x: axis.x(t), y: GANTT.top - 14, 'text-anchor': 'middle', fill: COLOURS.muted }, at(t)),
    );
  }
  return out;
}

function drawHeaders(layout: GanttLayout, report: RunReport): Node[] {
  const since = `elapsed since ${new Date(layout.start).toISOString().replace(/\.\d+Z$/, 'Z')}`;
  const head = (x: number, text: string) => s('text', { class: 'panel-title', x, y: 18, fill: COLOURS.text, 'font-weight': 'bold' }, text);
  const sub = (x: number, text: string) => s('text', { x, y: 32, fill: COLOURS.muted, 'font-size': 11 }, text);
  const rto = layout.rtoMs === undefined ? 'no RTO' : `RTO ${dur(layout.rtoMs)}`;
  const ran = `${layout.running ? 'running for' : 'ran'} ${dur(layout.elapsedMs)}`;
  if (!layout.split) {
    return [head(12, `Plan and actual run, on one scale`), sub(12, `plan ${dur(layout.plannedMs)} · ${ran} · ${rto} · ${since}`)];
  }
  return [
    head(12, report.mode === 'drill' ? 'Drill timeline' : 'Run timeline'),
    sub(12, since),
    head(layout.plan.x0, `Plan: ${dur(layout.plannedMs)} of budgets`),
    sub(layout.plan.x0, `runbook order, parallel branches side by side · ${rto}`),
    head(layout.actual.x0, `Actual: ${ran}`),
    sub(layout.actual.x0, 'its own scale: the two differ too much to share one'),
  ];
}

/** A vertical marker with its label below the chart; `side` keeps neighbouring labels apart. */
function marker(axis: Axis, ms: number, cls: string, text: string, line: Record<string, string | number>, chartBottom: number, labelY: number, side: 'start' | 'end', colour: string, bold = false): Node[] {
  const x = axis.x(ms);
  // A label that would run off the right edge goes on the line's left.
  if (side === 'start' && x + 8 + text.length * 6.5 > GANTT.width) side = 'end';
  // Lines stop just below the rows, so they never cross another marker's label.
  return [
    s('line', { class: cls, x1: x, x2: x, y1: GANTT.top - 8, y2: chartBottom + 4, ...line }),
    s('text', { class: `${cls}-label`, x: side === 'start' ? x + 4 : x - 4, y: labelY, 'text-anchor': side, fill: colour, 'font-size': 11, 'font-weight': bold ? 'bold' : undefined }, text),
  ];
}

function drawMarkers(layout: GanttLayout, chartBottom: number): Node[] {
  const rtoLine = { stroke: COLOURS.over, 'stroke-width': 2, 'stroke-dasharray': '6 4' };
  const out: Node[] = [];
  const rto = layout.rtoMs;
  // Plan end and RTO on the plan's axis: the left one labelled to its left, the right one to its right.
  const planLabel = `plan ends ${at(layout.plannedMs)}`;
  const planFirst = rto === undefined || layout.plannedMs <= rto;
  out.push(...marker(layout.plan, layout.plannedMs, 'plan-end', planLabel, { stroke: COLOURS.critical, 'stroke-width': 1.5, 'stroke-dasharray': '2 3' }, chartBottom, chartBottom + 16, planFirst && rto !== undefined ? 'end' : 'start', COLOURS.critical));
  if (rto !== undefined) out.push(...marker(layout.plan, rto, 'rto', `RTO ${dur(rto)}`, rtoLine, chartBottom, chartBottom + 16, planFirst ? 'start' : 'end', COLOURS.over, true));
  // The actual run's end on its own axis, and the RTO there too when it falls on that axis.
  out.push(...marker(layout.actual, layout.elapsedMs, 'ended', `${layout.running ? 'now' : 'ended'} ${at(layout.elapsedMs)}`, { stroke: COLOURS.text, 'stroke-width': 1.5 }, chartBottom, chartBottom + 31, 'start', COLOURS.text));
  if (layout.split && rto !== undefined && rto <= layout.actual.endMs) {
    out.push(...marker(layout.actual, rto, 'rto', `RTO ${dur(rto)}`, rtoLine, chartBottom, chartBottom + 16, 'end', COLOURS.over, true));
  }
  return out;
}

function drawLegend(layout: GanttLayout, y: number): Node {
  const items: Array<[string, Node]> = [
    ['planned (budget)', rect('', 0, 22, 2, 8, COLOURS.planned)],
    ['critical path', rect('', 0, 22, 2, 8, COLOURS.critical)],
    ['executing', rect('', 0, 22, 0, 12, COLOURS.executing)],
    ['waiting on people', rect('', 0, 22, 0, 12, COLOURS.waiting)],
    ...(layout.rows.some((r) => (r.actual?.stalls.length ?? 0) > 0) ? [['re-dispatch stall', rect('', 0, 22, 0, 12, COLOURS.stall)] as [string, Node]] : []),
    ...(layout.rows.some((r) => r.status === 'failed' && r.actual) ? [['failed', rect('', 0, 22, 0, 12, COLOURS.failed)] as [string, Node]] : []),
    ['over budget', rect('', 0, 22, 0, 12, 'url(#over-hatch)', undefined, { stroke: COLOURS.over })],
    ['RTO', s('line', { x1: 0, x2: 22, y1: 6, y2: 6, stroke: COLOURS.over, 'stroke-width': 2, 'stroke-dasharray': '6 4' })],
    ['run ended', s('line', { x1: 11, x2: 11, y1: 0, y2: 12, stroke: COLOURS.text, 'stroke-width': 1.5 })],
  ];
  let offset = 12;
  return s(
    'g',
    { class: 'legend' },
    items.map(([text, swatch]) => {
      const g = s('g', { transform: `translate(${offset} ${y})` }, [swatch, s('text', { x: 28, y: 10, fill: COLOURS.muted }, text)]);
      offset += 44 + text.length * 6.5;
      return g;
    }),
  );
}

/** The chart as a hast `<svg>` element, for embedding in the HTML report. */
export function ganttSvg(report: RunReport, now?: number): Node {
  const layout = ganttLayout(report, now);
  const chartBottom = GANTT.top + layout.rows.length * GANTT.rowHeight;
  return s(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${GANTT.width} ${layout.height}`,
      width: GANTT.width,
      height: layout.height,
      role: 'img',
      class: layout.split ? 'gantt split' : 'gantt',
      'font-family': 'system-ui, -apple-system, "Segoe UI", sans-serif',
      'font-size': 12,
    },
    [
      s('title', `Timeline of ${report.runbook.title} (${report.workflowId}): the plan against the actual run`),
      s('defs', [
        s('pattern', { id: 'over-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, [
          s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: COLOURS.over, 'stroke-width': 2 }),
        ]),
      ]),
      // Stripes first: the grid and the bars are drawn over them.
      ...layout.rows.flatMap((_, i) => (i % 2 === 1 ? [rect('stripe', 0, GANTT.width, GANTT.top + i * GANTT.rowHeight, GANTT.rowHeight, '#f5f6f8')] : [])),
      ...drawHeaders(layout, report),
      ...drawAxis(layout.plan, 'plan', chartBottom),
      ...(layout.split ? drawAxis(layout.actual, 'actual', chartBottom) : []),
      ...layout.rows.map((row, i) => drawRow(layout, row, i)),
      ...drawMarkers(layout, chartBottom),
      drawLegend(layout, chartBottom + 52),
    ],
  );
}

/** The chart as a standalone SVG document. */
export function renderGantt(report: RunReport, now?: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${toHtml(ganttSvg(report, now), { space: 'svg', closeEmptyElements: true })}\n`;
}
