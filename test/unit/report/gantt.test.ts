// The SVG timeline: two schedules (the plan placed by the runbook's order and parallel groups, the
// critical path marked; the actual run split into executing and waiting on people), one scale when
// they are alike and a panel each when they differ by orders of magnitude, tooltips on every bar,
// escaped titles, well-formed XML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { GANTT, ganttLayout, renderGantt, tickStep, type GanttLayout, type GanttRow } from '../../../src/report/gantt.js';
import { plannedSchedule } from '../../../src/report/schedule.js';
import { fastDrill, failedRun, slowDrill } from '../../helpers/drills.js';
import { drillReport, min, runReport, step, T0 } from '../../helpers/run-report.js';

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

const byId = (layout: GanttLayout, id: string): GanttRow => layout.rows.find((r) => r.id === id)!;
const h = 60 * min;

test('readable ticks: at most 8 intervals of a round duration', () => {
  assert.deepEqual([3_000, 30_000, 5 * min, 50 * min, 240 * min, 30 * 60 * min].map(tickStep), [1_000, 5_000, 1 * min, 10 * min, 30 * min, 6 * 60 * min]);
});

test('the plan: steps in runbook order, each where its predecessors\' budgets end; parallel branches start together; the longest branch is critical', () => {
  const plan = plannedSchedule(fastDrill().steps);
  const at = (id: string) => {
    const p = plan.steps.get(id)!;
    return [p.planned.from / min, p.planned.to / min, p.critical];
  };
  assert.equal(plan.totalMs, 4 * h + 35 * min);
  assert.deepEqual(
    ['assess', 'extent', 'probe', 'last-good-backup', 'provision', 'restore', 'verify', 'checklist', 'count-users', 'migrations', 'connection-strings', 'monitor'].map(at),
    [
      [0, 15, true],
      [0, 15, true],
      [0, 15, false], // as long as extent, but the first of the longest carries the path
      [0, 10, false],
      [15, 45, true],
      [45, 165, true],
      [165, 225, true],
      [165, 225, true],
      [165, 225, false],
      [165, 185, false],
      [225, 255, true],
      [255, 275, true],
    ],
  );
  // A skipped step takes no time in the plan (as in the forecast); the next one starts where it would have.
  const skipped = plannedSchedule(drillReport().steps);
  assert.deepEqual(skipped.steps.get('cleanup')!.planned, { from: 155 * min, to: 155 * min });
  assert.equal(skipped.totalMs, 155 * min);
});

test('geometry: sequential planned bars never overlap and a group\'s branches start together, on every fixture', () => {
  for (const report of [fastDrill(), slowDrill(), failedRun(), drillReport()]) {
    const layout = ganttLayout(report);
    const top = layout.rows.filter((r) => r.depth === 0 && r.planned.to > r.planned.from);
    for (let i = 1; i < top.length; i++) {
      assert.ok(layout.plan.x(top[i]!.planned.from) >= layout.plan.x(top[i - 1]!.planned.to), `${top[i]!.id} overlaps ${top[i - 1]!.id} in ${report.workflowId}`);
    }
    for (const group of layout.rows.filter((r) => r.group)) {
      const starts = new Set(layout.rows.filter((r) => r.depth === group.depth + 1 && report.steps.find((s) => s.id === r.id)?.parentId === group.id).map((r) => r.planned.from));
      assert.deepEqual([...starts], [group.planned.from], `branches of ${group.id}`);
    }
    // The actual panel's axis covers the run; the plan's covers the plan and the RTO.
    assert.ok(layout.actual.endMs >= layout.elapsedMs);
    assert.ok(layout.plan.endMs >= Math.max(layout.plannedMs, layout.rtoMs ?? 0));
  }
});

test('a fast drill gets a panel each: the plan in hours on the left, the 14 s run on its own scale on the right', () => {
  const layout = ganttLayout(fastDrill());
  assert.equal(layout.split, true);
  assert.deepEqual([layout.plan.x0, layout.plan.endMs, layout.plan.tickMs], [GANTT.labelWidth, 5 * h, 1 * h]);
  assert.deepEqual([layout.actual.endMs, layout.actual.tickMs, layout.actual.x1], [14_000, 2_000, GANTT.width - GANTT.right]);
  assert.ok(layout.actual.x0 >= layout.plan.x1 + GANTT.gap);
  // The run's bars fill its panel: the last step ends at the panel's right edge, not at a sliver.
  assert.equal(layout.actual.x(byId(layout, 'monitor').actual!.span.to), GANTT.width - GANTT.right);
  const svg = renderGantt(fastDrill());
  assert.match(svg, />Plan: 4h35m of budgets</);
  assert.match(svg, />Actual: ran 14s</);
  // The RTO is on the plan's axis (left of the plan's end: the plan itself misses it), not on the run's.
  assert.equal(elements(svg, 'rto').length, 1);
  assert.equal(Number(elements(svg, 'rto')[0]!.x1), layout.plan.x(4 * h));
  assert.ok(Number(elements(svg, 'plan-end')[0]!.x1) > Number(elements(svg, 'rto')[0]!.x1));
  assert.deepEqual(
    [...svg.matchAll(/<text class="tick-label actual"[^>]*>([^<]*)</g)].map((m) => m[1]),
    ['0', '+2s', '+4s', '+6s', '+8s', '+10s', '+12s', '+14s'],
  );
});

test('a slow drill shares one scale: bars late against the plan, waiting apart from executing, overruns hatched', () => {
  const layout = ganttLayout(slowDrill());
  assert.equal(layout.split, false);
  assert.equal(layout.plan, layout.actual);
  assert.equal(layout.actual.endMs, 6 * h); // 5h10m run, ticks every hour
  const restore = byId(layout, 'restore');
  assert.deepEqual([restore.planned.from, restore.actual!.span.from, restore.lateMs, restore.overMs].map((ms) => ms! / min), [45, 50, 5, 50]);
  assert.deepEqual(restore.actual!.over, { from: 170 * min, to: 220 * min });
  const checklist = byId(layout, 'checklist');
  assert.deepEqual([checklist.actual!.executing, checklist.actual!.waiting], [[{ from: 220 * min, to: 225 * min }], [{ from: 225 * min, to: 275 * min }]]);
  const svg = renderGantt(slowDrill());
  const x = layout.actual.x;
  assert.deepEqual(elements(row(svg, 'restore'), 'over').map((e) => [Number(e.x), Number(e.width)]), [[x(170 * min), Math.round((x(220 * min) - x(170 * min)) * 100) / 100]]);
  assert.match(row(svg, 'restore'), />\+50m over</);
  assert.match(row(svg, 'restore'), /<title>restore over budget by 50m: its 2h ran out at \+2h50m<\/title>/);
  assert.match(row(svg, 'checklist'), /<title>checklist waiting on people \+3h45m → \+4h35m \(50m\)<\/title>/);
  assert.match(row(svg, 'restore'), /<title>restore: Restore from the backup \(succeeded\); planned \+45m → \+2h45m, budget 2h, critical path; actual \+50m → \+3h40m \(2h50m\); started 5m later than planned; 50m over budget<\/title>/);
  // Both the plan's end and the run's end are marked, and the RTO once.
  assert.match(svg, />plan ends \+4h35m</);
  assert.match(svg, />ended \+5h10m</);
  assert.equal(elements(svg, 'rto').length, 1);
});

test('a failed run: bars up to the failure, the plan of the steps it never reached still drawn, the failure noted', () => {
  const layout = ganttLayout(failedRun());
  assert.equal(layout.split, true);
  assert.equal(layout.actual.endMs, 3 * min);
  const svg = renderGantt(failedRun());
  assert.match(row(svg, 'restore'), />failed</);
  assert.equal(elements(row(svg, 'monitor'), 'planned critical').length, 1);
  assert.doesNotMatch(row(svg, 'monitor'), /class="(executing|waiting)"/);
  assert.match(row(svg, 'monitor'), />pending \/ 20m</);
});

test('a re-dispatch stall is drawn apart from executing, with its cause', () => {
  const report = slowDrill();
  const restore = report.steps.find((x) => x.id === 'restore')!;
  // The worker running the restore was lost at +1h10m; the step was dispatched again at +1h25m.
  restore.redispatches = [{ attempt: 1, at: T0 + 85 * min, reason: 'worker-lost', detail: 'no heartbeat for 30s', stallMs: 15 * min }];
  const row = byId(ganttLayout(report), 'restore');
  assert.deepEqual(row.actual!.stalls, [{ from: 70 * min, to: 85 * min, reason: 'worker-lost' }]);
  assert.deepEqual(row.actual!.executing, [{ from: 50 * min, to: 70 * min }, { from: 85 * min, to: 220 * min }]);
  const svg = renderGantt(report);
  assert.match(svg, /<title>restore re-dispatch stall \+1h10m → \+1h25m \(15m\): worker-lost<\/title>/);
  assert.match(svg, />re-dispatch stall</);
  assert.doesNotMatch(renderGantt(slowDrill()), />re-dispatch stall</);
});

test('every bar has its figures as a tooltip', () => {
  for (const report of [fastDrill(), slowDrill(), failedRun()]) {
    const svg = renderGantt(report);
    const bars = [...svg.matchAll(/<rect class="(planned|planned critical|planned-group|executing|waiting|stall|over|group)"[^>]*>(.*?)<\/rect>|<rect class="(planned|executing|waiting|over)"[^>]*\/>/g)];
    assert.ok(bars.length > 10);
    for (const bar of bars) assert.match(bar[0], /<title>[^<]*\d[^<]*<\/title>/, `a bar without figures: ${bar[0].slice(0, 80)}`);
  }
});

test('SVG: titles escaped, well-formed XML, a run still running drawn up to now, no RTO means no line', () => {
  const svg = renderGantt(drillReport());
  assert.equal(XMLValidator.validate(svg), true);
  assert.match(svg, /Assess the &#x3C;damage>/);
  assert.match(svg, /<title>Timeline of Complete database loss &#x3C;script>alert\("x"\)&#x3C;\/script> &#x26; co \(database-loss-drill-1\)/);
  assert.doesNotMatch(svg, /<script|<damage/);
  // The skipped step has no bars: zero time in the plan, never ran.
  assert.doesNotMatch(row(svg, 'cleanup'), /<rect/);
  assert.match(row(svg, 'cleanup'), />skipped \/ 5m</);
  // Children are indented under their group.
  assert.deepEqual(elements(svg, 'label').map((e) => Number(e.x)), [12, 12, 12, 30, 30, 12, 12]);

  const running = runReport({
    status: 'running',
    endedAt: undefined,
    steps: [step({ id: 'restore', kind: 'postgres.restore', status: 'running', budgetMs: 10 * min, startedAt: T0 })],
  });
  const live = renderGantt(running, T0 + 25 * min);
  assert.equal(XMLValidator.validate(live), true);
  assert.match(live, />now \+25m</);
  assert.match(row(live, 'restore'), />25m \/ 10m</);
  assert.equal(elements(row(live, 'restore'), 'over').length, 1);

  const noRto = renderGantt(runReport({ objectives: {}, steps: [step({ id: 'a', kind: 'shell', budgetMs: 30 * min, startedAt: T0, endedAt: T0 + 50 * min })] }));
  assert.deepEqual(elements(noRto, 'rto'), []);
  assert.equal(elements(noRto, 'tick').length, 6); // 0, 10m, ..., 50m
});
