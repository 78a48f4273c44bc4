// The drill review: the suggested-budget rule, per-step figures over drills, the forecast against the
// RTO with the suggested budgets, the riskiest steps, the sparkline and chart, and the budgets written
// back into the YAML with its comments and layout intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XMLValidator } from 'fast-xml-parser';
import { toHtml } from 'hast-util-to-html';
import { BudgetEditError, writeBudgets } from '../../../src/runbook/budget-edit.js';
import { parseRunbook } from '../../../src/runbook/load.js';
import type { Runbook } from '../../../src/runbook/model.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { reviewRunbook, roundUpBudget, suggestBudget } from '../../../src/report/review.js';
import { renderReviewHtml, renderReviewText, sparkline, sparkSvg } from '../../../src/report/review-render.js';
import { min, runReport, step, T0 } from '../../helpers/run-report.js';

const s = 1000;
const h = 60 * min;

const YAML = `# A runbook the owner wrote by hand: comments and layout must survive an edit.
id: restore-db
title: Restore the database
objectives: { rto: 3h }
steps:
  - id: gate
    title: Approve the restore
    budget: 15m   # people take time
    approval: { roles: [oncall] }
  - id: restore
    title: Restore
    budget: 1h
    shell: { command: [echo, restore] }
  # the checks run side by side
  - id: verify
    title: Verify
    parallel:
      - id: counts
        title: Row counts
        budget: 20m
        shell: { command: [echo, counts] }
      - id: smoke
        title: Smoke test
        budget: 30m
        shell: { command: [echo, smoke] }
  - id: announce
    title: Announce
    budget: 10m
    shell: { command: [echo, done] }
`;

function runbook(text = YAML): Runbook {
  const { runbook: rb, errors } = parseRunbook(text, 'restore-db.yaml', { roles: { oncall: ['ann', 'bob'] } });
  assert.deepEqual(errors, []);
  return rb!;
}

/** A finished drill of restore-db that took these durations (ms) per step, one after the other. */
function drill(n: number, took: Record<string, number>, failed?: string): RunReport {
  const start = T0 + n * 24 * h;
  let at = start;
  const rec = (id: string, kind: 'approval' | 'shell', budgetMs: number, parentId?: string) => {
    // A step the run never reached (after a failure) has no times.
    if (took[id] === undefined) return step({ id, kind, budgetMs, parentId, status: 'pending' });
    const ms = took[id];
    const from = at;
    if (!parentId) at += ms;
    return step({ id, kind, budgetMs, parentId, startedAt: from, endedAt: from + ms, status: id === failed ? 'failed' : 'succeeded' });
  };
  const gate = rec('gate', 'approval', 15 * min);
  const restore = rec('restore', 'shell', 1 * h);
  const verifyAt = at;
  const counts = rec('counts', 'shell', 20 * min, 'verify');
  const smoke = rec('smoke', 'shell', 30 * min, 'verify');
  const verifyMs = Math.max(took.counts ?? 0, took.smoke ?? 0);
  at += verifyMs;
  const verify = took.counts === undefined ? step({ id: 'verify', kind: 'parallel', budgetMs: 30 * min, status: 'pending' }) : step({ id: 'verify', kind: 'parallel', budgetMs: 30 * min, startedAt: verifyAt, endedAt: verifyAt + verifyMs });
  const announce = rec('announce', 'shell', 10 * min);
  return runReport({
    workflowId: `restore-db-drill-${n}`,
    runbook: { id: 'restore-db', title: 'Restore the database', file: 'restore-db.yaml', sha256: 'ab'.repeat(32) },
    startedAt: start,
    endedAt: at,
    steps: [gate, restore, verify, counts, smoke, announce],
  });
}

// Four drills: the restore keeps overrunning (70m..95m against 1h), the approval is quick, the smoke
// test grows, the announcement is minutes; the third run's restore failed.
const drills = [
  drill(1, { gate: 4 * min, restore: 70 * min, counts: 5 * min, smoke: 12 * min, announce: 2 * min }),
  drill(2, { gate: 6 * min, restore: 80 * min, counts: 6 * min, smoke: 18 * min, announce: 3 * min }),
  drill(3, { gate: 5 * min, restore: 20 * min }, 'restore'),
  drill(4, { gate: 3 * min, restore: 95 * min, counts: 5 * min, smoke: 25 * min, announce: 2 * min }),
];

test('the rule: p95 + 25%, never below the slowest run, rounded up to a readable step; none under 3 runs', () => {
  assert.deepEqual([3 * s, 61 * s, 9 * min + 1, 41 * min, 61 * min].map(roundUpBudget), [5 * s, 2 * min, 10 * min, 45 * min, 75 * min]);
  assert.equal(suggestBudget([70 * min, 80 * min]), undefined);
  // p95 of three is the slowest: 95m × 1.25 = 118m45s → 2h.
  assert.equal(suggestBudget([70 * min, 80 * min, 95 * min]), 2 * h);
  // Seconds-long steps get seconds-long budgets.
  assert.equal(suggestBudget([200, 300, 250]), 5 * s);
});

test('per step: durations oldest first, p50/p95 against the budget, how often over, the suggestion and the change', () => {
  const review = reviewRunbook(runbook(), [...drills].reverse(), { mode: 'live' });
  assert.equal(review.runs, 4);
  const row = (id: string) => review.steps.find((x) => x.step === id)!;
  assert.deepEqual(row('restore').samples.map((x) => [x.durationMs / min, x.status]), [[70, 'succeeded'], [80, 'succeeded'], [20, 'failed'], [95, 'succeeded']]);
  // Failed runs are shown, not learnt from: p50/p95 over the three that succeeded.
  assert.deepEqual([row('restore').actual.n, row('restore').actual.p50Ms! / min, row('restore').actual.p95Ms! / min], [3, 80, 95]);
  assert.deepEqual(row('restore').overBudget, { n: 3, of: 4 });
  assert.deepEqual([row('restore').suggestedMs, row('restore').change], [2 * h, 'raise']);
  assert.deepEqual([row('gate').suggestedMs, row('gate').change], [8 * min, 'lower']); // 6m × 1.25 = 7m30s → 8m
  assert.deepEqual([row('smoke').suggestedMs, row('smoke').change], [35 * min, 'raise']);
  // counts: 20m budget, 6m × 1.25 → 8m; announce: 10m budget, 3m × 1.25 → 4m.
  assert.deepEqual([row('counts').suggestedMs, row('counts').change, row('announce').suggestedMs, row('announce').change], [8 * min, 'lower', 4 * min, 'lower']);
  assert.deepEqual([row('verify').change, row('verify').group, row('smoke').group], ['derived', undefined, 'verify']);
  // --raise-only keeps the budgets the drills beat.
  const raiseOnly = reviewRunbook(runbook(), drills, { raiseOnly: true });
  assert.deepEqual(raiseOnly.steps.map((x) => x.change), ['keep', 'raise', 'derived', 'keep', 'raise', 'keep']);
  // Drills far faster than the budget (a restore of seconds against 1h) come with a caution to check them.
  const fast = [1, 2, 3].map((n) => drill(n, { gate: 4 * s, restore: 2 * s, counts: s, smoke: s, announce: s }));
  const quick = reviewRunbook(runbook(), fast).steps.find((x) => x.step === 'restore')!;
  assert.deepEqual([quick.suggestedMs, quick.change], [5 * s, 'lower']);
  assert.match(quick.caution!, /under a tenth of the 1h budget: check they measure what a real incident takes/);
  assert.match(renderReviewText(reviewRunbook(runbook(), fast)), /lower to 5s ⚠[\s\S]*⚠ gate, restore, counts, smoke, announce: the runs took under a tenth of the budget; check they measure/);
  assert.equal(row('restore').caution, undefined);
  // Fewer than three successful runs: no suggestion.
  assert.equal(reviewRunbook(runbook(), drills.slice(0, 2)).steps.find((x) => x.step === 'restore')!.change, 'too few runs');
});

test('the forecast against the RTO with the suggested budgets, and the steps that put it at risk most', () => {
  const review = reviewRunbook(runbook(), drills);
  // Today: 15m + 1h + 30m + 10m = 1h55m. Suggested: 8m + 2h + 35m + 4m = 2h47m, still within 3h.
  assert.deepEqual(review.forecast, { currentMs: 115 * min, suggestedMs: 167 * min, rtoMs: 3 * h, currentFits: true, suggestedFits: true });
  assert.deepEqual(
    review.risks.map((r) => [r.step, r.p95OverBudgetMs / min]),
    [
      ['restore', 35],
      ['smoke', 0], // then by their time in the suggested plan: 35m, 8m
      ['gate', 0],
    ],
  );
  assert.equal(review.risks[0]!.why, 'p95 1h35m is 35m over its 1h budget');
  assert.equal(review.risks[1]!.why, '35m of the plan (19% of the RTO); p95 25m');
  // The smoke test is the group's longest branch under the suggested budgets too: it is on the path, counts is not.
  assert.equal(review.risks.some((r) => r.step === 'counts'), false);
});

test('terminal and HTML: a sparkline per step (× for a failed run), an SVG chart per step, everything escaped', () => {
  const review = reviewRunbook(runbook(), drills);
  const restore = review.steps.find((x) => x.step === 'restore')!;
  assert.equal(sparkline(restore), '▆▇×█'); // 70m, 80m, failed, 95m: scaled to the slowest
  const text = renderReviewText(review);
  assert.match(text, /restore .*│ 1h .*│ 4 .*│ ▆▇×█ .*│ 1h20m .*│ 1h35m .*│ 1h35m .*│ 3\/4 .*│ 2h .*│ raise to 2h/);
  assert.match(text, /Forecast \(live mode\): with today's budgets 1h55m fits the 3h RTO; with the suggested ones 2h47m fits the 3h RTO\./);
  assert.match(text, /1\. restore: p95 1h35m is 35m over its 1h budget\n {2}2\. smoke: 35m of the plan/);
  assert.match(text, /Rule: suggested budget = p95 of the successful runs \+ 25%/);
  const svg = toHtml(sparkSvg(restore), { space: 'svg' });
  assert.equal(XMLValidator.validate(svg), true);
  assert.equal(svg.match(/<circle/g)?.length, 4);
  assert.match(svg, /fill="#d93025"><title>restore-db-drill-3: 20m, failed<\/title>/);
  // Runs of seconds against a budget of an hour: the budget goes off the top, the runs keep the chart's height.
  const fast = reviewRunbook(runbook(), [1, 2, 3].map((n) => drill(n, { gate: 4 * s, restore: (n + 1) * s, counts: s, smoke: s, announce: s })));
  const quick = toHtml(sparkSvg(fast.steps.find((x) => x.step === 'restore')!), { space: 'svg' });
  assert.match(quick, /<text class="off-scale"[^>]*>budget 1h ↑<\/text>/);
  const ys = [...quick.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys[0]! - ys[2]! > 5, `runs of 2s..4s spread over the chart (against the budget: under 1px): ${ys}`);
  assert.doesNotMatch(svg, /off-scale/);
  const html = renderReviewHtml(reviewRunbook(runbook(YAML.replace('title: Restore the database', 'title: Restore <b>&</b>')), drills));
  assert.match(html, /<h1>Drill review: Restore &#x3C;b>&#x26;&#x3C;\/b><\/h1>/);
  assert.equal(html.match(/<svg /g)?.length, 6);
});

test('--write: only the budget values change; comments, order and layout stay as written', () => {
  const after = writeBudgets(YAML, new Map([['restore', 2 * h], ['smoke', 35 * min], ['gate', 8 * min]]));
  const changed = after.split('\n').filter((line, i) => line !== YAML.split('\n')[i]);
  assert.deepEqual(changed, ['    budget: 8m   # people take time', '    budget: 2h', '        budget: 35m']);
  assert.deepEqual(runbook(after).steps.map((x) => x.budgetMs / min), [8, 120, 35, 10]);
  // A step with no budget gets one after its title; an unknown step is an error naming the steps.
  const noBudget = YAML.replace('    budget: 10m\n    shell: { command: [echo, done] }', '    shell: { command: [echo, done] }');
  assert.match(writeBudgets(noBudget, new Map([['announce', 5 * min]])), /- id: announce\n {4}title: Announce\n {4}budget: 5m\n {4}shell:/);
  assert.throws(() => writeBudgets(YAML, new Map([['nope', min]])), (err: Error) => err instanceof BudgetEditError && /Expected a step "nope" in the runbook, found none \(steps: gate, restore, verify, counts, smoke, announce\)/.test(err.message));
  // The EasyMO runbook itself: one line changes.
  const real = readFileSync('runbooks/database-loss.yaml', 'utf8');
  const edited = writeBudgets(real, new Map([['restore', 3 * h]]));
  assert.equal(edited.split('\n').filter((line, i) => line !== real.split('\n')[i]).length, 1);
});
