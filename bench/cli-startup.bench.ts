// `dr` start-up benchmark (not a test): wall time of `node bin/dr.js <args>` (the JavaScript compiled
// into dist/src) against the same command run through tsx (how bin/dr.js ran before), interleaved
// one after the other so both see the same machine load. Prints medians and the ratio.
//
//   node --import tsx bench/cli-startup.bench.ts        # BENCH_ROUNDS=9 by default
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const cases: { label: string; args: string[] }[] = [
  { label: 'dr --help', args: ['--help'] },
  { label: 'dr effects database-loss', args: ['effects', 'database-loss'] },
  { label: 'dr validate', args: ['validate'] },
];

/** Wall and CPU (user + system) milliseconds of one run, from GNU time: CPU time moves less with load. */
function timeOnce(argv: string[]): { wall: number; cpu: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, ...argv], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [wall, user, sys] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number];
  return { wall: wall * 1000, cpu: (user + sys) * 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

timeOnce(['bin/dr.js', '--help']); // compiles dist/src if it is stale, outside the measurement
console.log(`${rounds} rounds each, interleaved; node ${process.version}; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const { label, args } of cases) {
  const compiled: { wall: number; cpu: number }[] = [];
  const tsx: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    compiled.push(timeOnce(['bin/dr.js', ...args]));
    tsx.push(timeOnce(['--import', 'tsx', 'src/cli/main.ts', ...args]));
  }
  for (const kind of ['wall', 'cpu'] as const) {
    const c = median(compiled.map((x) => x[kind]));
    const t = median(tsx.map((x) => x[kind]));
    console.log(`${label.padEnd(26)} ${kind.padEnd(4)} compiled ${c.toFixed(0).padStart(5)} ms   tsx ${t.toFixed(0).padStart(5)} ms   ratio ${(t / c).toFixed(2)}x`);
  }
}
