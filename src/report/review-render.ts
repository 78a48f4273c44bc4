// The drill review for people: a terminal table with a sparkline of each step's durations over the
// drills, and a self-contained HTML page with the same figures and an SVG chart per step (the
// budget as a dashed line). Built as hast trees, so every text is escaped.
import Table from 'cli-table3';
import { h, s } from 'hastscript';
import { toHtml } from 'hast-util-to-html';
import { formatDuration } from '../runbook/duration.js';
import type { Review, StepReview } from './review.js';

const dur = (ms: number | undefined) => (ms === undefined ? '—' : formatDuration(ms));
const BLOCKS = '▁▂▃▄▅▆▇█';

/** The durations oldest first as block characters, scaled to the slowest; a failed run is `×`. */
export function sparkline(step: StepReview): string {
  const top = Math.max(1, ...step.samples.map((x) => x.durationMs));
  return step.samples.map((x) => (x.status === 'failed' ? '×' : BLOCKS[Math.min(7, Math.floor((x.durationMs / top) * 7.999))])).join('');
}

function changeText(step: StepReview): string {
  if (step.change === 'raise' || step.change === 'lower') return `${step.change} to ${dur(step.suggestedMs)}${step.caution ? ' ⚠' : ''}`;
  return step.change;
}

function forecastLines(review: Review): string[] {
  const f = review.forecast;
  const verdict = (ms: number, fits?: boolean) => (f.rtoMs === undefined ? dur(ms) : `${dur(ms)} ${fits ? 'fits' : 'exceeds'} the ${dur(f.rtoMs)} RTO`);
  return [
    `Forecast (${review.mode} mode): with today's budgets ${verdict(f.currentMs, f.currentFits)}; with the suggested ones ${verdict(f.suggestedMs, f.suggestedFits)}.`,
    ...(review.risks.length === 0 ? [] : ['Steps that put the RTO at risk most:', ...review.risks.map((r, i) => `  ${i + 1}. ${r.step}: ${r.why}`)]),
  ];
}

function cautions(review: Review): string[] {
  const steps = review.steps.filter((st) => st.caution).map((st) => st.step);
  if (steps.length === 0) return [];
  return [`⚠ ${steps.join(', ')}: the runs took under a tenth of the budget; check they measure what a real incident takes (data size, rehearsed steps) before lowering it (--raise-only keeps every budget they beat).`];
}

/** The review as terminal text. */
export function renderReviewText(review: Review): string {
  const table = new Table({
    head: ['step', 'budget', 'runs', 'over time', 'p50', 'p95', 'max', 'over budget', 'suggested', 'change'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const st of review.steps) {
    table.push([
      `${st.group ? '↳ ' : ''}${st.step}`,
      dur(st.budgetMs),
      String(st.samples.length),
      sparkline(st) || '—',
      dur(st.actual.p50Ms),
      dur(st.actual.p95Ms),
      dur(st.actual.maxMs),
      st.overBudget.of === 0 ? '—' : `${st.overBudget.n}/${st.overBudget.of}`,
      dur(st.suggestedMs),
      changeText(st),
    ]);
  }
  return [
    `Drill review of ${review.runbook.id} (${review.runbook.title}): ${review.runs} finished run(s), oldest first in "over time" (× failed).`,
    table.toString(),
    `Rule: ${review.rule}.`,
    ...cautions(review),
    ...forecastLines(review),
  ].join('\n');
}

/** A small SVG of one step's durations over the runs, the budget dashed, failed runs red. */
export function sparkSvg(step: StepReview, width = 160, height = 32): ReturnType<typeof s> {
  const values = step.samples.map((x) => x.durationMs);
  const dataTop = Math.max(1, step.suggestedMs ?? 0, ...values);
  // A budget far above every run would flatten the runs to the floor: it goes off the top instead.
  const offScale = step.budgetMs > 3 * dataTop;
  const top = offScale ? dataTop * 1.15 : Math.max(dataTop, step.budgetMs);
  const y = (ms: number) => Math.max(1, Math.round((height - 3 - (ms / top) * (height - 6)) * 100) / 100);
  const x = (i: number) => (values.length <= 1 ? width / 2 : Math.round((3 + (i * (width - 6)) / (values.length - 1)) * 100) / 100);
  const children = [
    s('title', `${step.step}: ${step.samples.map((x) => `${dur(x.durationMs)}${x.status === 'failed' ? ' (failed)' : ''}`).join(', ')}; budget ${dur(step.budgetMs)}`),
    s('line', { class: 'budget', x1: 0, x2: width, y1: y(step.budgetMs), y2: y(step.budgetMs), stroke: '#d93025', 'stroke-dasharray': '4 3' }),
  ];
  if (offScale) children.push(s('text', { class: 'off-scale', x: width - 2, y: 9, 'text-anchor': 'end', 'font-size': 8, fill: '#d93025' }, `budget ${dur(step.budgetMs)} ↑`));
  if (step.suggestedMs !== undefined) {
    children.push(s('line', { class: 'suggested', x1: 0, x2: width, y1: y(step.suggestedMs), y2: y(step.suggestedMs), stroke: '#1e8e3e', 'stroke-dasharray': '2 2' }));
  }
  if (values.length > 1) {
    children.push(s('polyline', { points: values.map((v, i) => `${x(i)},${y(v)}`).join(' '), fill: 'none', stroke: '#2f6fde', 'stroke-width': 1.5 }));
  }
  step.samples.forEach((sample, i) =>
    children.push(s('circle', { cx: x(i), cy: y(sample.durationMs), r: 2.5, fill: sample.status === 'failed' ? '#d93025' : '#2f6fde' }, [s('title', `${sample.workflowId}: ${dur(sample.durationMs)}${sample.status === 'failed' ? ', failed' : ''}`)])),
  );
  return s('svg', { xmlns: 'http://www.w3.org/2000/svg', class: 'spark', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' }, children);
}

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0; padding: 24px 32px 48px; max-width: 1320px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.sub { color: #6b7280; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 16px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid #e3e6ea; vertical-align: middle; }
th { color: #6b7280; background: #fafbfc; }
th.num { text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.raise { color: #d93025; font-weight: 600; white-space: nowrap; }
td.lower { color: #1e8e3e; font-weight: 600; white-space: nowrap; }
`;

/** The review as one self-contained HTML page. */
export function renderReviewHtml(review: Review): string {
  const rows = review.steps.map((st) =>
    h('tr', [
      h('td', [st.group ? '↳ ' : '', h('code', st.step), ' ', h('span', { class: 'sub' }, st.title)]),
      h('td', { class: 'num' }, dur(st.budgetMs)),
      h('td', { class: 'num' }, String(st.samples.length)),
      h('td', st.samples.length === 0 ? '—' : sparkSvg(st)),
      h('td', { class: 'num' }, dur(st.actual.p50Ms)),
      h('td', { class: 'num' }, dur(st.actual.p95Ms)),
      h('td', { class: 'num' }, dur(st.actual.maxMs)),
      h('td', { class: 'num' }, st.overBudget.of === 0 ? '—' : `${st.overBudget.n}/${st.overBudget.of}`),
      h('td', { class: 'num' }, dur(st.suggestedMs)),
      h('td', { class: st.change }, changeText(st)),
    ]),
  );
  const title = `Drill review: ${review.runbook.title}`;
  const page = h('html', { lang: 'en' }, [
    h('head', [h('meta', { charset: 'utf-8' }), h('title', title), h('style', CSS)]),
    h('body', [
      h('h1', title),
      h('p', { class: 'sub' }, [h('code', review.runbook.id), ` · ${review.runs} finished run(s); each chart runs oldest to newest, the budget dashed red, the suggestion dotted green.`]),
      h('p', forecastLines(review)[0]!),
      ...(review.risks.length === 0 ? [] : [h('p', 'Steps that put the RTO at risk most:'), h('ol', review.risks.map((r) => h('li', [h('code', r.step), `: ${r.why}`])))]),
      h('table', [
        h('thead', h('tr', ['step', 'budget', 'runs', 'over time', 'p50', 'p95', 'max', 'over budget', 'suggested', 'change'].map((t, i) => h('th', { class: [1, 2, 4, 5, 6, 7, 8].includes(i) ? 'num' : undefined }, t)))),
        h('tbody', rows),
      ]),
      h('p', { class: 'sub' }, `Rule: ${review.rule}.`),
      ...cautions(review).map((line) => h('p', { class: 'sub' }, line)),
    ]),
  ]);
  return `<!doctype html>\n${toHtml(page)}\n`;
}
