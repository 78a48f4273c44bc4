// Benchmark of `dr import` on a ~1 MB document (the seed repeated). Prints, from one run: the whole
// import, the importer's parser alone (markdown-it + GFM -> mdast) and the parser it replaced
// (micromark + GFM -> mdast), each as the median of BENCH_ROUNDS rounds after a warm-up, with the
// ratios; and the first import of the run (cold: nothing compiled yet), which is what one
// `dr import` pays. Run: node --import tsx bench/import.bench.ts. Not a test.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { importMarkdown, loadParsers } from '../src/markdown/index.js';
import { markdownToMdast } from '../src/markdown/mdit.js';
import { prepareDocument } from '../src/markdown/parse.js';

const seed = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/markdown/easymo-backup-dr.md'), 'utf8');
const copies = Math.ceil(1_000_000 / seed.length);
const doc = seed.repeat(copies);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Time {
  cpu: number;
  wall: number;
}

function once(fn: () => unknown): Time {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const used = process.cpuUsage(c);
  return { cpu: (used.user + used.system) / 1000, wall };
}

/** Median CPU and wall milliseconds of `fn` over ROUNDS runs, after one warm-up. */
function measure(fn: () => unknown): Time {
  fn();
  const runs = Array.from({ length: ROUNDS }, () => once(fn));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { cpu: median(runs.map((r) => r.cpu)), wall: median(runs.map((r) => r.wall)) };
}

await loadParsers();
let runbooks = 0;
const run = () => (runbooks = importMarkdown(doc, { file: 'bench.md' }).runbooks.length);
const cold = once(run);
const full = measure(run);
// Both parsers read the text the importer parses (after the guard), as the importer would.
const text = prepareDocument(doc).text;
const parser = measure(() => markdownToMdast(text));
const baseline = measure(() => fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }));

const ms = (t: Time) => `${t.wall.toFixed(0).padStart(5)} ms wall, ${t.cpu.toFixed(0).padStart(5)} ms CPU`;
const x = (a: Time, b: Time) => `${(a.cpu / b.cpu).toFixed(2)}x CPU, ${(a.wall / b.wall).toFixed(2)}x wall`;
console.log(`document: ${(doc.length / 1e6).toFixed(2)} MB (the seed x${copies}), ${runbooks} runbooks; median of ${ROUNDS} rounds after a warm-up`);
console.log(`import     dr import (parse, map, emit YAML, validate each runbook): ${ms(full)}`);
console.log(`  cold     the run's first import (nothing compiled yet):            ${ms(cold)}`);
console.log(`parser     markdown-it + GFM -> mdast (the importer's parser):       ${ms(parser)}`);
console.log(`baseline   micromark + GFM -> mdast (the parser it replaced):        ${ms(baseline)}`);
console.log(`ratio      micromark / markdown-it: ${x(baseline, parser)}`);
console.log(`ratio      import / markdown-it parse: ${x(full, parser)}; import / micromark parse: ${x(full, baseline)}`);
