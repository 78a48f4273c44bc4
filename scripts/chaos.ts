// `npm run chaos`: the longer chaos run (test/helpers/chaos.ts) with its figures printed: kills,
// runs, copies of a step seen at once, re-dispatches by reason, stall times, report vs history.
// Uses its own dev server on DR_CHAOS_PORT (default 7263) and UI port + 1000.
import { runChaos } from '../test/helpers/chaos.js';

const port = Number(process.env.DR_CHAOS_PORT ?? 7263);
const minutes = Number(process.env.DR_CHAOS_MINUTES ?? 5);
const f = await runChaos({
  runs: Number(process.env.DR_CHAOS_RUNS ?? 4),
  longSeconds: 45,
  killWindowMs: minutes * 60_000,
  killEveryMs: [5_000, 20_000],
  serverRestartAtMs: (minutes * 60_000) / 2,
  limitMs: minutes * 60_000 + 600_000,
  port,
  uiPort: port + 1000,
  say: (line) => console.log(line),
});
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`
runs ${f.succeeded}/${f.runs} succeeded · ${f.kills} worker SIGKILLs · ${f.serverRestarts} dev-server restart(s) · ${s(f.elapsedMs)}
steps ${f.steps}, step copies started ${f.copiesStarted}, most copies of one step at once: ${f.maxConcurrent}, overlaps ${f.overlaps.length}
re-dispatches ${f.redispatches} (${Object.entries(f.byReason).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), stall total ${s(f.stallMs.total)}, longest ${s(f.stallMs.max)}
report vs history: ${f.mismatches.length === 0 ? 'all re-dispatches match' : f.mismatches.join('\n  ')}`);
process.exit(f.succeeded === f.runs && f.overlaps.length === 0 && f.mismatches.length === 0 ? 0 : 1);
