// Benchmark of the effect classifier (src/safety) on a few thousand shell commands, against the word
// list it replaces (src/markdown/classify.ts) as the baseline. Prints ms per command (median of
// BENCH_ROUNDS rounds after a warm-up), the one-time parser load, and the first call (cold). Run:
// node --import tsx bench/classify.bench.ts. Informational: not a test.
import { isReadOnly } from '../src/markdown/classify.js';
import { classifyScript, classifySql, loadParsers } from '../src/safety/index.js';

const SHAPES = [
  'kubectl get pods -n ns{i} | grep api-{i} && echo ok',
  'psql "$DATABASE_URL" -tAc "SELECT count(*) FROM users WHERE id > {i}"',
  'redis-cli -h r{i} INFO replication',
  'sudo systemctl restart api-{i}',
  'curl -sSf -X POST https://hooks/x{i} -d \'{"n":{i}}\'',
  'pg_dump -Fc -f /backups/db{i}.dump app && aws s3 cp /backups/db{i}.dump s3://b/',
  'for f in /var/log/app{i}/*.log; do gzip "$f"; done',
  'timeout 30 kubectl rollout status deploy/api-{i} || kubectl rollout undo deploy/api-{i}',
  'ssh db{i} "sudo -u postgres psql -c \'SELECT pg_is_in_recovery()\'"',
  'find /tmp/x{i} -mtime +7 -delete',
];
const COUNT = Number(process.env.BENCH_COMMANDS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const commands = Array.from({ length: COUNT }, (_, i) => SHAPES[i % SHAPES.length]!.replaceAll('{i}', String(i)));

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function measure(fn: () => void): number {
  fn();
  return median(Array.from({ length: ROUNDS }, () => time(fn)));
}

const load = performance.now();
await loadParsers();
const loadMs = performance.now() - load;
const cold = time(() => classifyScript(commands[1]!));
const safety = measure(() => commands.forEach((c) => classifyScript(c)));
const baseline = measure(() => commands.forEach((c) => isReadOnly(c)));
const sql = measure(() => commands.forEach((_, i) => classifySql(`SELECT count(*) FROM users WHERE id > ${i}`)));

const per = (ms: number) => `${((ms / COUNT) * 1000).toFixed(1).padStart(7)} µs per command`;
console.log(`${COUNT} commands (${SHAPES.length} shapes), median of ${ROUNDS} rounds after a warm-up`);
console.log(`loadParsers()   once:                         ${loadMs.toFixed(1)} ms`);
console.log(`cold            first classifyScript call:    ${cold.toFixed(1)} ms`);
console.log(`classifyScript  src/safety (mvdan/sh + SQL):  ${per(safety)}`);
console.log(`classifySql     libpg_query, one SELECT:      ${per(sql)}`);
console.log(`baseline        src/markdown word list:       ${per(baseline)}`);
console.log(`ratio           safety / baseline: ${(safety / baseline).toFixed(1)}x`);
