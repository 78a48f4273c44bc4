// The run as an SVG Gantt chart: per step the planned bar (its budget) over the actual bar, the
// actual split into executing and waiting on people, the part past the budget hatched red, and the
// RTO as a vertical line. Built as a hast tree (hastscript), so every text is escaped on output.
import { s } from 'hastscript';
import { toHtml } from 'hast-util-to-html';
import { formatDuration } from '../runbook/duration.js';
import type { RunReport, StepStatus } from '../runbook/run.js';
import { stepTimings } from './timings.js';

type Node = ReturnType<typeof s>;

/** Geometry in SVG user units; the chart area runs from `labelWidth` to `width - right`. */
export const GANTT = { width: 1200, labelWidth: 340, right: 36, top: 52, rowHeight: 28, bottom: 72 } as const;

const COLOURS = { planned: '#c4cad3', executing: '#2f6fde', waiting: '#f2a33a', over: '#d93025', group: '#4a5160', grid: '#e3e6ea', text: '#1f2328', muted: '#6b7280' };

export interface Span {
  from: number;
  to: number;
}

/** One row of the chart, in time (epoch ms); geometry comes from `GanttLayout.x`. */
export interface GanttRow {
  id: string;
  title: string;
  depth: number;
  status: StepStatus;
  /** A parallel group: drawn as a bracket over its branches. */
  group: boolean;
  budgetMs: number;
  actualMs?: number;
  overMs?: number;
  planned?: Span;
  executing: Span[];
  waiting: Span[];
  over?: Span;
}

export interface GanttLayout {
  start: number;
  /** The right end of the time axis: past the run's end, every budget and the RTO, rounded to a tick. */
  end: number;
  tickMs: number;
  rows: GanttRow[];
  rtoAt?: number;
  /** The run's end, or `now` while it runs. */
  endedAt: number;
  running: boolean;
  height: number;
  /** Epoch ms → x. */
  x(t: number): number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TICKS = [1, 2, 5, 10, 15, 30].map((n) => n * SECOND).concat([1, 2, 5, 10, 15, 30].map((n) => n * MINUTE), [1, 2, 3, 6, 12, 24, 48].map((n) => n * HOUR));

/** The smallest readable tick step that cuts `spanMs` into at most 8 intervals. */
export function tickStep(spanMs: number): number {
  return TICKS.find((t) => spanMs / t <= 8) ?? Math.ceil(spanMs / 8 / (24 * HOUR)) * 24 * HOUR;
}

/** `[from, to]` minus the (sorted, clipped) waits: the executing parts of a step. */
function complement(span: Span, waits: Span[]): Span[] {
  const out: Span[] = [];
  let cursor = span.from;
  for (const w of waits) {
    if (w.from > cursor) out.push({ from: cursor, to: w.from });
    cursor = Math.max(cursor, w.to);
  }
  if (cursor < span.to) out.push({ from: cursor, to: span.to });
  return out;
}

/** Rows and scale of the chart for a report; `now` ends steps and runs still running. */
export function ganttLayout(report: RunReport, now = report.endedAt ?? Date.now()): GanttLayout {
  const endedAt = report.endedAt ?? now;
  const rows: GanttRow[] = stepTimings(report, endedAt).map((t) => {
    const r = t.record;
    const row: GanttRow = {
      id: r.id,
      title: r.title,
      depth: t.depth,
      status: r.status,
      group: r.kind === 'parallel',
      budgetMs: r.budgetMs,
      actualMs: t.actualMs,
      overMs: t.overMs,
      executing: [],
      waiting: [],
    };
    if (r.startedAt === undefined) return row;
    const actual = { from: r.startedAt, to: r.endedAt ?? endedAt };
    row.planned = { from: r.startedAt, to: r.startedAt + r.budgetMs };
    if (row.group) return { ...row, executing: [actual] };
    row.waiting = r.waits
      .map((w) => ({ from: Math.max(w.since, actual.from), to: Math.min(w.until ?? actual.to, actual.to) }))
      .filter((w) => w.to > w.from)
      .sort((a, b) => a.from - b.from);
    row.executing = complement(actual, row.waiting);
    if (actual.to > row.planned.to) row.over = { from: row.planned.to, to: actual.to };
    return row;
  });
  const start = report.startedAt;
  const rtoAt = report.objectives.rtoMs === undefined ? undefined : start + report.objectives.rtoMs;
  const latest = Math.max(endedAt, rtoAt ?? start, ...rows.map((r) => Math.max(r.planned?.to ?? start, r.executing.at(-1)?.to ?? start)));
  const tickMs = tickStep(Math.max(latest - start, MINUTE));
  const end = start + Math.max(1, Math.ceil((latest - start) / tickMs)) * tickMs;
  const { width, labelWidth, right, top, rowHeight, bottom } = GANTT;
  const pxPerMs = (width - labelWidth - right) / (end - start);
  return {
    start,
    end,
    tickMs,
    rows,
    rtoAt,
    endedAt,
    running: report.endedAt === undefined,
    height: top + rows.length * rowHeight + bottom,
    x: (t) => round(labelWidth + (t - start) * pxPerMs),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
const dur = (ms: number) => (ms === 0 ? '0' : formatDuration(ms));
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function rect(cls: string, x1: number, x2: number, y: number, height: number, fill: string, extra: Record<string, string | number> = {}): Node {
  return s('rect', { class: cls, x: x1, y, width: round(Math.max(1, x2 - x1)), height, fill, ...extra });
}

function drawRow(layout: GanttLayout, row: GanttRow, index: number): Node {
  const { x } = layout;
  const y = GANTT.top + index * GANTT.rowHeight;
  const children: Node[] = [];
  const indent = 12 + row.depth * 18;
  const label = `${row.depth > 0 ? '↳ ' : ''}${row.title}`;
  children.push(
    s('text', { class: 'label', x: indent, y: y + 18, fill: row.status === 'skipped' ? COLOURS.muted : COLOURS.text }, [
      s('title', `${row.id}: ${row.title} (${row.status})`),
      clip(label, 35 - row.depth * 3),
    ]),
    s(
      'text',
      { class: 'figures', x: GANTT.labelWidth - 12, y: y + 18, 'text-anchor': 'end', fill: COLOURS.muted },
      row.actualMs === undefined ? `${row.status} / ${dur(row.budgetMs)}` : `${dur(row.actualMs)} / ${dur(row.budgetMs)}`,
    ),
  );
  if (row.planned) children.push(rect('planned', x(row.planned.from), x(row.planned.to), y + 5, 6, COLOURS.planned));
  if (row.group) {
    for (const span of row.executing) {
      children.push(rect('group', x(span.from), x(span.to), y + 14, 4, COLOURS.group));
      children.push(rect('group-end', x(span.from), x(span.from) + 2, y + 12, 10, COLOURS.group), rect('group-end', x(span.to) - 2, x(span.to), y + 12, 10, COLOURS.group));
    }
  } else {
    for (const span of row.executing) children.push(rect('executing', x(span.from), x(span.to), y + 12, 11, COLOURS.executing));
    for (const span of row.waiting) children.push(rect('waiting', x(span.from), x(span.to), y + 12, 11, COLOURS.waiting));
  }
  if (row.over) children.push(rect('over', x(row.over.from), x(row.over.to), y + 11.5, 12, 'url(#over-hatch)', { stroke: COLOURS.over, 'stroke-width': 1.5 }));
  const last = row.over?.to ?? row.executing.at(-1)?.to ?? row.waiting.at(-1)?.to;
  const notes = [row.overMs !== undefined && row.overMs > 0 ? `+${dur(row.overMs)} over` : '', ['failed', 'cancelled'].includes(row.status) ? row.status : ''].filter(Boolean);
  if (last !== undefined && notes.length > 0) {
    children.push(s('text', { class: 'note', x: x(last) + 5, y: y + 22, fill: COLOURS.over, 'font-size': 11 }, notes.join(' · ')));
  }
  return s('g', { class: `row ${row.status}`, 'data-step': row.id }, children);
}

function drawAxis(layout: GanttLayout, chartBottom: number): Node[] {
  const { x, start } = layout;
  const out: Node[] = [
    s('text', { x: 12, y: GANTT.top - 18, fill: COLOURS.muted }, `elapsed since ${new Date(start).toISOString().replace(/\.\d+Z$/, 'Z')}`),
  ];
  for (let t = start; t <= layout.end; t += layout.tickMs) {
    out.push(
      s('line', { class: 'tick', x1: x(t), x2: x(t), y1: GANTT.top - 6, y2: chartBottom, stroke: COLOURS.grid }),
      s('text', { class: 'tick-label', x: x(t), y: GANTT.top - 18, 'text-anchor': 'middle', fill: COLOURS.muted }, t === start ? '0' : `+${dur(t - start)}`),
    );
  }
  return out;
}

function drawMarkers(layout: GanttLayout, rtoMs: number | undefined, chartBottom: number): Node[] {
  const { x } = layout;
  // The two labels sit on separate lines below the chart, so they never overlap when the run ends near the RTO.
  const out: Node[] = [
    s('line', { class: 'ended', x1: x(layout.endedAt), x2: x(layout.endedAt), y1: GANTT.top - 6, y2: chartBottom + 20, stroke: COLOURS.text, 'stroke-width': 1.5 }),
    s('text', { x: x(layout.endedAt) + 4, y: chartBottom + 30, fill: COLOURS.text, 'font-size': 11 }, `${layout.running ? 'now' : 'ended'} +${dur(layout.endedAt - layout.start)}`),
  ];
  if (layout.rtoAt !== undefined && rtoMs !== undefined) {
    const at = x(layout.rtoAt);
    out.push(
      s('line', { class: 'rto', x1: at, x2: at, y1: GANTT.top - 6, y2: chartBottom + 6, stroke: COLOURS.over, 'stroke-width': 2, 'stroke-dasharray': '6 4' }),
      s('text', { x: at - 4, y: chartBottom + 16, 'text-anchor': 'end', fill: COLOURS.over, 'font-weight': 'bold', 'font-size': 11 }, `RTO ${dur(rtoMs)}`),
    );
  }
  return out;
}

function drawLegend(y: number): Node {
  const items: Array<[string, Node]> = [
    ['planned (budget)', rect('', 0, 22, 3, 6, COLOURS.planned)],
    ['executing', rect('', 0, 22, 0, 11, COLOURS.executing)],
    ['waiting on people', rect('', 0, 22, 0, 11, COLOURS.waiting)],
    ['over budget', rect('', 0, 22, 0, 11, 'url(#over-hatch)', { stroke: COLOURS.over })],
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
      'font-family': 'system-ui, -apple-system, "Segoe UI", sans-serif',
      'font-size': 12,
    },
    [
      s('title', `Timeline of ${report.runbook.title} (${report.workflowId}): planned vs actual per step`),
      s('defs', [
        s('pattern', { id: 'over-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, [
          s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: COLOURS.over, 'stroke-width': 2 }),
        ]),
      ]),
      // Stripes first: the grid and the bars are drawn over them.
      ...layout.rows.flatMap((_, i) => (i % 2 === 1 ? [rect('stripe', 0, GANTT.width, GANTT.top + i * GANTT.rowHeight, GANTT.rowHeight, '#f5f6f8')] : [])),
      ...drawAxis(layout, chartBottom),
      ...layout.rows.map((row, i) => drawRow(layout, row, i)),
      ...drawMarkers(layout, report.objectives.rtoMs, chartBottom),
      drawLegend(chartBottom + 46),
    ],
  );
}

/** The chart as a standalone SVG document. */
export function renderGantt(report: RunReport, now?: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${toHtml(ganttSvg(report, now), { space: 'svg', closeEmptyElements: true })}\n`;
}
