// Accuracy of `dr import` over the corpus of DR documents (test/fixtures/markdown/corpus): what
// it found against each document's expected result. Counts, not times: a quiet machine is not
// needed. Run: node --import tsx bench/import-accuracy.bench.ts [--verbose]. Not a test (the
// corpus test asserts each document).
import { loadCorpus, score, type Score } from '../test/unit/markdown/corpus.js';

const verbose = process.argv.includes('--verbose');
const total: Omit<Score, 'differences'> = {
  proceduresExpected: 0, proceduresFound: 0, stepsExpected: 0, stepsFound: 0, budgetsRight: 0,
  objectivesExpected: 0, objectivesRight: 0, contradictionsExpected: 0, contradictionsFound: 0,
};
const pct = (a: number, b: number) => `${a}/${b} (${b ? ((100 * a) / b).toFixed(0) : '100'}%)`;
const corpus = loadCorpus();
let exact = 0;
console.log('document                              procedures  steps    budgets  objectives  contradictions');
for (const doc of corpus) {
  const s = score(doc);
  for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += s[key];
  if (s.differences.length === 0) exact++;
  const cells = [`${s.proceduresFound}/${s.proceduresExpected}`, `${s.stepsFound}/${s.stepsExpected}`, `${s.budgetsRight}/${s.stepsExpected}`, `${s.objectivesRight}/${s.objectivesExpected}`, `${s.contradictionsFound}/${s.contradictionsExpected}`];
  console.log(`${doc.name.padEnd(38)}${cells.map((c, i) => c.padEnd([12, 9, 9, 12, 8][i]!)).join('')}${s.differences.length ? `  ${s.differences.length} difference(s)` : ''}`);
  if (verbose) for (const d of s.differences) console.log(`    ${d}`);
}
console.log('');
console.log(`documents imported exactly as expected: ${pct(exact, corpus.length)}`);
console.log(`procedures found / expected:            ${pct(total.proceduresFound, total.proceduresExpected)}`);
console.log(`steps found / expected:                 ${pct(total.stepsFound, total.stepsExpected)}`);
console.log(`budgets right:                          ${pct(total.budgetsRight, total.stepsExpected)}`);
console.log(`objectives right (RTO and RPO):         ${pct(total.objectivesRight, total.objectivesExpected)}`);
console.log(`contradictions found / expected:        ${pct(total.contradictionsFound, total.contradictionsExpected)}`);
