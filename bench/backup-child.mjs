#!/usr/bin/env node
// @ts-check
// One backup or restore of bench/backup.bench.ts, in a fresh process running the compiled activities
// (dist/src), as the worker runs them (`npm start`, the Dockerfile): its peak RSS is the worker's
// share of the work without the tsx loader (about 30 MB of a process this size). Prints one JSON line.
import { parseArgs } from 'node:util';
import { postgresBackup } from '../dist/src/activities/postgres/backup.js';
import { postgresRestore } from '../dist/src/activities/postgres/restore.js';
import { S3BackupStore } from '../dist/src/activities/storage/s3-store.js';
import { procCpu } from './proc-stat.mjs';

const { values: o } = parseArgs({
  options: {
    child: { type: 'string' },
    servers: { type: 'string' },
    store: { type: 'string' },
    db: { type: 'string' },
    backup: { type: 'string', default: '' },
    jobs: { type: 'string', default: '2' },
    format: { type: 'string', default: 'custom' },
    timeline: { type: 'boolean', default: false },
  },
});
/** @type {{ s3: { endpoint: string; accessKey: string; secretKey: string } }} */
const s = JSON.parse(o.servers ?? '{}');
const store = new S3BackupStore({
  bucket: 'bench',
  root: o.store ?? 'ours',
  endpoint: s.s3.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: s.s3.accessKey, secretAccessKey: s.s3.secretKey },
});
// --timeline: each change of phase (a restore's: which items of its schedule run) and when the first
// bytes moved, on stderr.
let last = '';
let moved = false;
const t0 = performance.now();
const at = () => ((performance.now() - t0) / 1000).toFixed(2).padStart(6);
/** @param {unknown} details */
const heartbeat = (details) => {
  const { phase = '', bytes = 0 } = /** @type {{ phase?: string; bytes?: number }} */ (details ?? {});
  if (phase !== last) console.error(`    ours  ${at()} s  ${(last = phase)}`);
  if (!moved && bytes > 0) {
    moved = true;
    console.error(`    ours  ${at()} s  first bytes (${bytes} B)`);
  }
};
const context = o.timeline ? { store, heartbeat, heartbeatEveryMs: 50 } : { store, heartbeat: () => undefined };
const jobs = Number(o.jobs);
/** @type {{ seconds: number; maxRssKb: number; cpuMs?: number; toolsCpuMs?: number; id?: string; bytes?: number }} */
let out;
if (o.child === 'backup') {
  const format = /** @type {'custom' | 'directory'} */ (o.format);
  const made = await postgresBackup({ connection: o.db ?? '', prefix: 'daily', format, jobs, compression: 1 }, context);
  out = { seconds: (performance.now() - t0) / 1000, id: made.id, bytes: made.bytes, maxRssKb: 0 };
} else if (o.child === 'restore') {
  await postgresRestore({ target: o.db ?? '', backup: o.backup, jobs, noOwner: false }, context);
  out = { seconds: (performance.now() - t0) / 1000, maxRssKb: 0 };
} else {
  throw new Error(`--child: expected backup or restore, got ${JSON.stringify(o.child)}`);
}
if (o.timeline) console.error(`    ours  ${at()} s  done`);
out.maxRssKb = process.resourceUsage().maxRSS;
// CPU: this process's, and its waited-for children's (pg_dump, pg_restore, psql).
const { user, system } = process.cpuUsage();
out.cpuMs = (user + system) / 1000;
out.toolsCpuMs = procCpu('self').waitedChildrenMs;
process.stdout.write(JSON.stringify(out) + '\n');
