// The HTML report as a person sees it, in headless Chromium: a fast drill (seconds against a plan of
// hours), a slow drill with overruns and a failed run. Screenshots go to test-artifacts/report/ for
// a human to look at; the test checks the drawn geometry in the browser's own layout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderHtml } from '../../../src/report/html.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { launchBrowser } from '../../helpers/browser.js';
import { failedRun, fastDrill, slowDrill } from '../../helpers/drills.js';

const artifacts = resolve(import.meta.dirname, '../../../test-artifacts/report');
let browser: Browser;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
});

interface Box {
  left: number;
  right: number;
}

/** Screen boxes of the bars of one class (`planned critical`) in each row, by step id. */
async function bars(cls: string): Promise<Record<string, Box[]>> {
  const out: Record<string, Box[]> = {};
  for (const row of await page.locator('svg g.row').all()) {
    const id = (await row.getAttribute('data-step'))!;
    const boxes = await Promise.all((await row.locator(`rect.${cls.split(' ').join('.')}`).all()).map((r) => r.boundingBox()));
    out[id] = boxes.map((b) => ({ left: b!.x, right: b!.x + b!.width }));
  }
  return out;
}

async function open(report: RunReport, name: string): Promise<void> {
  await page.setContent(renderHtml(report, report.endedAt));
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await page.locator('svg.gantt').screenshot({ path: join(artifacts, `${name}-timeline.png`) });
}

/** The x of the last tick label of an axis and of the run's end line. */
async function axisEnd(cls: string): Promise<{ lastTick: number; ended: number }> {
  const tick = (await page.locator(`text.tick-label.${cls}`).last().boundingBox())!;
  const ended = (await page.locator('line.ended').boundingBox())!;
  return { lastTick: tick.x + tick.width / 2, ended: ended.x };
}

test('fast drill: the plan in hours and the 14 s run each readable in its own panel', async () => {
  await open(fastDrill(), 'fast-drill');
  assert.equal(await page.locator('svg.gantt.split').count(), 1);
  const planned = await bars('planned');
  const critical = await bars('planned critical');
  // Sequential steps on the plan: provision, restore, connection-strings, monitor follow each other.
  const seq = ['provision', 'restore', 'connection-strings', 'monitor'].map((id) => critical[id]![0]!);
  for (let i = 1; i < seq.length; i++) assert.ok(seq[i]!.left >= seq[i - 1]!.right - 0.5, `planned bars overlap: ${JSON.stringify(seq)}`);
  // The branches of a group start together.
  const branchStarts = [critical.extent![0]!, planned.probe![0]!, planned['last-good-backup']![0]!].map((b) => Math.round(b.left));
  assert.equal(new Set(branchStarts).size, 1, `branches start at ${branchStarts}`);
  // The actual bars are wide enough to read: the 4 s restore spans more than 100 px.
  const executing = await bars('executing');
  assert.ok(executing.restore![0]!.right - executing.restore![0]!.left > 100);
  // The run's axis covers the run: its end line is at (or before) the last tick.
  const { lastTick, ended } = await axisEnd('actual');
  assert.ok(ended <= lastTick + 1, `run ends at ${ended}, axis at ${lastTick}`);
});

test('slow drill with overruns: one scale, late and over-budget bars, the RTO before the end', async () => {
  await open(slowDrill(), 'slow-drill');
  assert.equal(await page.locator('svg.gantt.split').count(), 0);
  const over = await bars('over');
  assert.ok(over.restore!.length === 1 && over.restore![0]!.right - over.restore![0]!.left > 20);
  const rto = await page.locator('line.rto').boundingBox();
  const ended = await page.locator('line.ended').boundingBox();
  assert.ok(rto && ended && rto.x < ended.x, 'the run ended after the RTO');
  // The table below carries the same figures as the bars.
  const cells = await page.locator('tr', { has: page.locator('code', { hasText: /^restore$/ }) }).locator('td').allInnerTexts();
  assert.deepEqual(cells.slice(4, 7), ['2h\n+45m → +2h45m ◆', '2h50m\n+50m → +3h40m', '+50m']);
});

test('failed run: the failure marked, the steps never reached still on the plan', async () => {
  await open(failedRun(), 'failed-run');
  const critical = await bars('planned critical');
  const executing = await bars('executing');
  assert.equal(critical.monitor!.length, 1);
  assert.equal(executing.monitor!.length, 0);
  assert.equal(await page.locator('g.row.failed text.note', { hasText: 'failed' }).count(), 1);
  const { lastTick, ended } = await axisEnd('actual');
  assert.ok(ended <= lastTick + 1);
});
