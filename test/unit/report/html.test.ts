// The HTML report of a hand-made drill: summary, tables, the chart inline, everything escaped,
// nothing fetched from elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml } from '../../../src/report/html.js';
import { drillReport, min, runReport, step, T0 } from '../../helpers/run-report.js';

const html = renderHtml(drillReport(), T0 + 60 * min);
/** Cell texts of the table row whose first cell has `<code>id</code>`. */
function stepRow(id: string): string[] {
  const tr = new RegExp(`<tr[^>]*><td><span[^>]*>(?:↳ )?<code>${id}</code></span></td>.*?</tr>`).exec(html);
  assert.ok(tr, `no row for ${id}`);
  return [...tr[0].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<br>/g, ' | ').replace(/<[^>]+>/g, ''));
}

test('a complete page: doctype, title, inline CSS, one inline SVG, no external assets', () => {
  assert.match(html, /^<!doctype html>\n<html lang="en"><head><meta charset="utf-8">/);
  assert.match(html, /<title>Drill report: Complete database loss &#x3C;script>alert\("x"\)&#x3C;\/script> &#x26; co<\/title><style>/);
  assert.equal(html.match(/<svg /g)?.length, 1);
  assert.match(html, /<div class="chart"><svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 1200 \d+"/);
  // Nothing loaded from elsewhere: the only URL is the SVG namespace.
  assert.deepEqual(html.match(/https?:\/\/[^"\s)]*/g), ['http://www.w3.org/2000/svg']);
  assert.doesNotMatch(html, /<link|<script|<img|@import/);
});

test('text from the runbook and from people is escaped', () => {
  assert.match(html, /<h1>Drill report: Complete database loss &#x3C;script>alert\("x"\)&#x3C;\/script> &#x26; co<\/h1>/);
  assert.match(html, /<td>Assess the &#x3C;damage><\/td>/);
  assert.match(html, /<li><code>app<\/code>: HTTP 500 &#x3C;oops><\/li>/);
  assert.match(html, /<td>backup &#x3C;verified> &#x26; fine<\/td>/);
  assert.doesNotMatch(html, /<damage>|<oops>|<verified>/);
});

test('summary: status, who, planned vs actual, waiting vs executing, RTO and RPO verdicts', () => {
  const dd = [...html.matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)].map((m) => [m[1], m[2]!.replace(/<br>/g, ' | ').replace(/<[^>]+>/g, '')]);
  assert.deepEqual(dd, [
    ['Status', 'succeeded'],
    ['Mode', 'drill'],
    ['Started by', 'dana'],
    ['Started', '2026-03-15 10:00:00Z | ended 2026-03-15 10:50:00Z'],
    ['Actual vs planned', '50m planned 2h35m'],
    ['Waiting on people vs executing', '23m waiting · 27m executing'],
    ['RTO', 'met 50m of 4h'],
    ['RPO achieved', 'no restore in this run (RPO 1d)'],
  ]);
  const withRpo = renderHtml(
    runReport({ rpo: { achievedMs: 30 * 60 * min, backupId: 'b1', backupCreatedAt: '2026-03-14T04:00:00Z', step: 'restore' }, status: 'failed', rto: { status: 'breached', elapsedMs: 300 * min, forecastMs: 300 * min } }),
  );
  assert.match(withRpo, /<dt>RPO achieved<\/dt><dd><span class="badge bad">missed<\/span> 1d6h of 1d<br><span class="sub">backup b1 of 2026-03-14T04:00:00Z \(step restore\)<\/span><\/dd>/);
  assert.match(withRpo, /<dt>RTO<\/dt><dd><span class="badge bad">breached<\/span> 5h of 4h<\/dd>/);
  assert.match(withRpo, /<dt>Status<\/dt><dd><span class="badge bad">failed<\/span><\/dd>/);
});

test('step table: planned vs actual (with when, as offsets; the critical path marked), over budget highlighted, waiting vs executing, people', () => {
  assert.deepEqual(stepRow('assess'), ['assess', 'Assess the &#x3C;damage>', 'manual', 'succeeded ⚠ overrun', '15m | 0 → +15m ◆', '20m | 0 → +20m', '+5m', '18m', '2m', '0', 'completed by eli']);
  assert.match(html, /<tr class="over"><td><span[^>]*><code>assess<\/code>/);
  assert.match(html, /<td class="num over">\+5m<\/td>/);
  assert.deepEqual(stepRow('gate').slice(4), ['10m | +15m → +25m ◆', '5m | +20m → +25m', '—', '5m', '0ms', '0', 'approved by bea; approved by eli']);
  assert.deepEqual(stepRow('app').slice(0, 4), ['↳ app', 'Smoke test', 'http', 'failed']);
  assert.match(html, /<tr class="over failed"><td><span style="padding-left:18px">↳ <code>app<\/code>/);
  // Both branches planned to start together where assess (15m) and gate (10m) end; the first of the longest is critical.
  assert.deepEqual(stepRow('counts').slice(4, 6), ['10m | +25m → +35m ◆', '5m | +25m → +30m']);
  assert.deepEqual(stepRow('app').slice(4, 6), ['10m | +25m → +35m', '15m | +25m → +40m']);
  assert.deepEqual(stepRow('cleanup').slice(3, 9), ['skipped', '5m | +2h35m → +2h35m', '—', '—', '—', '—']);
});

test('re-dispatches by the infrastructure: listed apart from attempts, with what a person should check', () => {
  const report = drillReport();
  const restore = report.steps.find((x) => x.id === 'restore')!;
  restore.redispatches = [{ attempt: 1, at: T0 + 45 * min, reason: 'worker-lost', detail: 'no heartbeat for 30s', stallMs: 2 * min }];
  restore.checkRedispatch = 'pg_restore may have run twice <here>';
  const page = renderHtml(report, T0 + 60 * min);
  assert.match(page, /<h2>Re-dispatched by the infrastructure<\/h2>.*<li>2026-03-15 10:45:00Z <code>restore<\/code> \(attempt 1\): worker-lost, stalled 2m — no heartbeat for 30s<\/li>/);
  assert.match(page, /<li><code>restore<\/code>: pg_restore may have run twice &#x3C;here><\/li>/);
  assert.match(page, /<rect class="stall"/);
  assert.doesNotMatch(html, /Re-dispatched/);
});

test('people and messages tables; a run still running says so', () => {
  assert.match(html, /<h2>Time waiting on people<\/h2><table>.*?<tr><td>eli<\/td><td class="num">2<\/td><td class="num">23m<\/td><td class="num">18m<\/td><td>assess, gate<\/td><\/tr><tr><td>bea<\/td><td class="num">1<\/td><td class="num">3m<\/td>/);
  assert.match(html, /<td>2026-03-15 10:22:00Z<\/td><td>approve<\/td><td>update<\/td><td>mallory<\/td><td>gate<\/td><td><span class="refused">refused: "mallory" may not act on step "gate"<\/span><\/td>/);
  const running = renderHtml(
    runReport({ status: 'waiting', endedAt: undefined, steps: [step({ id: 'gate', kind: 'approval', status: 'waiting', budgetMs: 10 * min, startedAt: T0, waits: [{ for: 'approval', since: T0 }] })] }),
    T0 + 12 * min,
  );
  assert.match(running, /<dd>2026-03-15 10:00:00Z<br>still running<\/dd>/);
  assert.match(running, /<dd>12m waiting · 0ms executing<\/dd>/);
  assert.match(running, /<dt>RTO<\/dt><dd><span class="badge good">on-track<\/span>/);
  assert.doesNotMatch(running, /<h2>Messages from people<\/h2>/);
});
