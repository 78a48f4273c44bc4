// Benchmark of `dr import` on a ~1 MB document (the seed repeated). Prints the time per import and
// the ratio against the raw parser alone (micromark + GFM → mdast), measured in the same run, so the
// ratio is our overhead. Run: node --import tsx bench/import.bench.ts. Not a test.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { importMarkdown } from '../src/markdown/index.js';

const seed = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/markdown/easymo-backup-dr.md'), 'utf8');
const doc = seed.repeat(Math.ceil(1_000_000 / seed.length));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Median CPU and wall milliseconds of `fn` over ROUNDS runs, after one warm-up. */
function measure(fn: () => unknown): { cpu: number; wall: number } {
  fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { cpu: median(cpu), wall: median(wall) };
}

const parser = measure(() => fromMarkdown(doc, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }));
let runbooks = 0;
const full = measure(() => (runbooks = importMarkdown(doc, { file: 'bench.md' }).runbooks.length));
const ms = (n: number) => `${n.toFixed(0)} ms`;
console.log(`document: ${(doc.length / 1e6).toFixed(2)} MB (the seed x${Math.ceil(1_000_000 / seed.length)}), ${runbooks} runbooks, median of ${ROUNDS} rounds`);
console.log(`baseline  parser alone (micromark + GFM -> mdast): ${ms(parser.wall)} wall, ${ms(parser.cpu)} CPU`);
console.log(`import    dr import (parse, map, emit YAML, validate each runbook): ${ms(full.wall)} wall, ${ms(full.cpu)} CPU`);
console.log(`ratio     import / parser: ${(full.cpu / parser.cpu).toFixed(2)}x (CPU), ${(full.wall / parser.wall).toFixed(2)}x (wall)`);
