// `npm run chaos`: the longer chaos run (test/helpers/chaos.ts) with its figures printed: kills,
// runs, step copies, re-dispatches by reason, stall times, report against history. Uses its own
// dev server on DR_CHAOS_PORT (default 7263) and the next port for its UI; DR_CHAOS_KILLS worker
// SIGKILLs (default 20, the server restarted after half of them), DR_CHAOS_RUNS runs at a time
// (default 4), more started as they end until every kill is done.
import { rmSync } from 'node:fs';
import { chaosDevServer, chaosStateDir, runChaos } from '../test/helpers/chaos.js';

const port = Number(process.env.DR_CHAOS_PORT ?? 7263);
const kills = Number(process.env.DR_CHAOS_KILLS ?? 20);
const stateDir = chaosStateDir();
const server = await chaosDevServer(stateDir, port, port + 1);
let f;
try {
  f = await runChaos({
    runs: Number(process.env.DR_CHAOS_RUNS ?? 4),
    // A step lost MAX_DISPATCHES (10) times in one attempt fails by design: kills come seldom enough
    // for a 20 s step to finish between them most times, and new runs keep coming until all are done.
    longSeconds: 20,
    kills,
    killEveryMs: [5_000, 40_000],
    keepStarting: true,
    serverRestartAfterKill: Math.ceil(kills / 2),
    limitMs: kills * 60_000 + 600_000,
    stateDir,
    server,
    say: (line) => console.log(line),
  });
} finally {
  await server.stop();
}
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`
runs ${f.succeeded}/${f.runs} succeeded · ${f.kills} worker SIGKILLs · ${f.serverRestarts} server restart(s) · ${s(f.elapsedMs)}
steps ${f.steps}, dispatches in history ${f.dispatches}, step copies started ${f.copiesStarted}, overlaps (two copies at once) ${f.overlaps.length}
re-dispatches ${f.redispatches} (${Object.entries(f.byReason).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), stall total ${s(f.stallMs.total)}, longest ${s(f.stallMs.max)}
worker polling again after a kill or the restart: longest ${s(f.workerStartMs.max)}
report against history and the steps' log: ${f.mismatches.length === 0 ? 'all match' : f.mismatches.join('\n  ')}`);
const ok = f.succeeded === f.runs && f.overlaps.length === 0 && f.mismatches.length === 0;
if (ok) rmSync(stateDir, { recursive: true, force: true });
else console.log(`state kept in ${stateDir}`);
process.exit(ok ? 0 : 1);
