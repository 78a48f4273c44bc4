// The SVG Gantt chart of a hand-made drill: bars per step, waiting apart from executing, overruns,
// the RTO line at its x, readable ticks, escaped titles, well-formed XML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { GANTT, ganttLayout, renderGantt, tickStep } from '../../src/report/gantt.js';
import { drillReport, min, runReport, step, T0 } from '../helpers/run-report.js';

/** Every element `<tag class="cls" ...>` with its attributes, in document order. */
function elements(svg: string, cls: string): Array<Record<string, string>> {
  return [...svg.matchAll(new RegExp(`<(\\w+) class="${cls}"([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...m[2]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

/** The part of the SVG drawn for one step. */
function row(svg: string, id: string): string {
  const match = new RegExp(`<g class="row \\w+" data-step="${id}">.*?</g>`).exec(svg);
  assert.ok(match, `no row for ${id}`);
  return match[0];
}

const xywh = (e: Record<string, string>) => [Number(e.x), Number(e.width)];

test('readable ticks: at most 8 intervals of a round duration', () => {
  assert.deepEqual([30_000, 5 * min, 50 * min, 240 * min, 30 * 60 * min].map(tickStep), [5_000, 1 * min, 10 * min, 30 * min, 6 * 60 * min]);
});

test('layout: the axis reaches the RTO, rounded to a tick; x is linear over the chart area', () => {
  const layout = ganttLayout(drillReport());
  assert.deepEqual([layout.tickMs, layout.end - layout.start, layout.rtoAt], [30 * min, 240 * min, T0 + 240 * min]);
  assert.equal(layout.x(T0), GANTT.labelWidth);
  assert.equal(layout.x(T0 + 240 * min), GANTT.width - GANTT.right);
  assert.deepEqual(
    layout.rows.map((r) => [r.id, r.depth, r.group, r.executing.length, r.waiting.length, r.over ? (r.over.to - r.over.from) / min : 0]),
    [
      ['assess', 0, false, 1, 1, 5],
      ['gate', 0, false, 0, 1, 0],
      ['verify', 0, true, 1, 0, 0],
      ['counts', 1, false, 1, 0, 0],
      ['app', 1, false, 1, 0, 5],
      ['restore', 0, false, 1, 0, 0],
      ['cleanup', 0, false, 0, 0, 0],
    ],
  );
});

test('SVG: a row per step, planned and actual bars, waiting apart from executing, overruns hatched', () => {
  const svg = renderGantt(drillReport());
  assert.deepEqual(
    [...svg.matchAll(/<g class="row (\w+)" data-step="([\w-]+)">/g)].map((m) => `${m[2]}:${m[1]}`),
    ['assess:succeeded', 'gate:succeeded', 'verify:succeeded', 'counts:succeeded', 'app:failed', 'restore:succeeded', 'cleanup:skipped'],
  );
  // One planned bar per step that started; the skipped step has none, and no actual bar either.
  assert.equal(elements(svg, 'planned').length, 6);
  assert.doesNotMatch(row(svg, 'cleanup'), /<rect/);
  assert.match(row(svg, 'cleanup'), />skipped \/ 5m</);
  // assess: budget 0–15m, executing 0–2m, waiting on people 2–20m, over budget 15–20m (1 min = 824/240 px).
  const assess = row(svg, 'assess');
  assert.deepEqual(elements(assess, 'planned').map(xywh), [[340, 51.5]]);
  assert.deepEqual(elements(assess, 'executing').map(xywh), [[340, 6.87]]);
  assert.deepEqual(elements(assess, 'waiting').map(xywh), [[346.87, 61.8]]);
  assert.deepEqual(elements(assess, 'over').map(xywh), [[391.5, 17.17]]);
  assert.match(assess, />20m \/ 15m</);
  assert.match(assess, />\+5m over</);
  // The gate only waited; a group is a bracket, never split into waiting/executing.
  assert.deepEqual([elements(row(svg, 'gate'), 'executing').length, elements(row(svg, 'gate'), 'waiting').map(xywh)], [0, [[408.67, 17.16]]]);
  assert.deepEqual(elements(row(svg, 'verify'), 'group').map(xywh), [[425.83, 51.5]]);
  assert.doesNotMatch(row(svg, 'verify'), /class="(executing|waiting)"/);
  assert.match(row(svg, 'app'), />\+5m over · failed</);
  // Children are indented under their group.
  assert.deepEqual(elements(svg, 'label').map((e) => Number(e.x)), [12, 12, 12, 30, 30, 12, 12]);
});

test('SVG: the RTO line at startedAt + RTO, the end line, ticks every 30m', () => {
  const svg = renderGantt(drillReport());
  assert.deepEqual(elements(svg, 'rto').map((e) => [e.x1, e.x2]), [['1164', '1164']]);
  assert.match(svg, />RTO 4h</);
  assert.deepEqual(elements(svg, 'ended').map((e) => e.x1), ['511.67']);
  assert.match(svg, />ended \+50m</);
  assert.deepEqual(
    [...svg.matchAll(/<text class="tick-label"[^>]*>([^<]*)</g)].map((m) => m[1]),
    ['0', '+30m', '+1h', '+1h30m', '+2h', '+2h30m', '+3h', '+3h30m', '+4h'],
  );
  // Without an RTO there is no line, and the axis ends at the run's end (or its budgets).
  const noRto = renderGantt(runReport({ objectives: {}, steps: [step({ id: 'a', kind: 'shell', budgetMs: 30 * min, startedAt: T0, endedAt: T0 + 50 * min })] }));
  assert.deepEqual(elements(noRto, 'rto'), []);
  assert.deepEqual(elements(noRto, 'tick').length, 6); // 0, 10m, ..., 50m
});

test('SVG: titles escaped, well-formed XML, a run still running drawn up to now', () => {
  const svg = renderGantt(drillReport());
  assert.equal(XMLValidator.validate(svg), true);
  assert.match(svg, /Assess the &#x3C;damage>/);
  assert.match(svg, /<title>Timeline of Complete database loss &#x3C;script>alert\("x"\)&#x3C;\/script> &#x26; co \(database-loss-drill-1\)/);
  assert.doesNotMatch(svg, /<script|<damage/);

  const running = runReport({
    status: 'running',
    endedAt: undefined,
    steps: [step({ id: 'restore', kind: 'postgres.restore', status: 'running', budgetMs: 10 * min, startedAt: T0 })],
  });
  const live = renderGantt(running, T0 + 25 * min);
  assert.equal(XMLValidator.validate(live), true);
  assert.match(live, />now \+25m</);
  assert.match(row(live, 'restore'), />25m \/ 10m</);
  assert.deepEqual(elements(row(live, 'restore'), 'over').length, 1);
});
