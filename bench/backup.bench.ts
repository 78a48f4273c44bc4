// Backup and restore benchmark (not a test): a pgbench database, measured side by side in one run
// against the seed's pipeline and the bare tools' floor, printed as ratios.
//
//   node --import tsx bench/backup.bench.ts [--scale 10] [--rss-scales 5,20] [--rss-only] [--keep]
//
// It starts its own PostgreSQL and S3 server (versitygw) on free ports under .state/bench/.
//   ours, backup:   postgres.backup (custom format, gzip -1) streamed to the S3 server
//   seed, backup:   pg_dump | gzip > file, then the file uploaded (multipart, like `aws s3 cp`)
//   floor, backup:  pg_dump -Fd -j2 -Z1 to local disk, nothing uploaded
//   ours, restore:  postgres.restore from the S3 server (download + sha256 check, pg_restore -j2)
//   seed, restore:  download the file, gunzip it to a file, psql < file (the seed's
//                   restore-automation.sh); also piped (gunzip -c | psql) for reference
//   (ours restores each table of 250k+ rows through `jobs` COPY sessions: split-load.ts)
//   floor, restore: pg_restore -j2 from the local directory
// Peak RSS of a backup is measured in a child process (getrusage maxrss) at two database sizes.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createServer } from 'node:net';
import { postgresBackup } from '../src/activities/postgres/backup.js';
import { postgresRestore } from '../src/activities/postgres/restore.js';
import { S3BackupStore } from '../src/activities/storage/s3-store.js';
import { startPostgres } from '../scripts/lib/postgres.mjs';
import { Supervisor } from '../scripts/lib/process.mjs';
import { startS3 } from '../scripts/lib/s3.mjs';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.state', 'bench');
const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};

interface Servers {
  pgUrl: string;
  s3: { endpoint: string; accessKey: string; secretKey: string };
}

function store(s: Servers, root: string): S3BackupStore {
  return new S3BackupStore({
    bucket: 'bench',
    root,
    endpoint: s.s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s.s3.accessKey, secretAccessKey: s.s3.secretKey },
  });
}

const dbUrl = (base: string, db: string) => Object.assign(new URL(base), { pathname: `/${db}` }).toString();
const sh = (script: string, env: Record<string, string> = {}) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [(performance.now() - t0) / 1000, value];
}

function recreate(s: Servers, db: string): string {
  sh(`psql -X -q "$URL" -c 'DROP DATABASE IF EXISTS ${db} WITH (FORCE)' -c 'CREATE DATABASE ${db}'`, { URL: s.pgUrl });
  return dbUrl(s.pgUrl, db);
}

function dbSize(url: string): number {
  return Number(execFileSync('psql', ['-X', '-tA', url, '-c', 'SELECT pg_database_size(current_database())'], { encoding: 'utf8' }).trim());
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** One backup in a fresh process; prints its peak RSS (the worker's share of a backup). */
async function childBackup(): Promise<void> {
  const s = JSON.parse(opt('--servers', '{}')) as Servers;
  const [seconds, result] = await timed(() =>
    postgresBackup({ connection: opt('--db', ''), prefix: 'daily', format: 'custom', jobs: 2, compression: 1 }, { store: store(s, 'rss'), heartbeat: () => undefined }),
  );
  process.stdout.write(JSON.stringify({ seconds, bytes: result.bytes, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

function runChild(s: Servers, db: string): Promise<{ seconds: number; bytes: number; maxRssKb: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/backup.bench.ts', '--child', '--servers', JSON.stringify(s), '--db', db], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => (code === 0 ? resolvePromise(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}`))));
  });
}

function pgbench(s: Servers, db: string, scale: number): string {
  const url = recreate(s, db);
  sh(`pgbench -i -q -s ${scale} "$URL" 2>/dev/null`, { URL: url });
  return url;
}

async function main(): Promise<void> {
  const scale = Number(opt('--scale', '10'));
  const rssScales = opt('--rss-scales', `${Math.max(1, Math.round(scale / 4))},${scale}`).split(',').map(Number);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const sup = new Supervisor();
  try {
    const [pg, s3] = await Promise.all([
      startPostgres({ dataDir: join(work, 'pg'), port: await freePort(), database: 'bench', supervisor: sup }),
      startS3({ dataDir: join(work, 's3'), port: await freePort(), buckets: ['bench'], supervisor: sup, fresh: true }),
    ]);
    const s: Servers = { pgUrl: pg.url, s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey } };
    const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
    if (args.includes('--rss-only')) {
      for (const sc of rssScales) {
        const url = pgbench(s, `rss${sc}`, sc);
        const r = await runChild(s, url);
        console.log(`peak RSS of a backup process: ${(r.maxRssKb / 1024).toFixed(0)} MB at ${(dbSize(url) / 1e6).toFixed(0)} MB of database (scale ${sc}, ${r.seconds.toFixed(1)} s, ${(r.bytes / 1e6).toFixed(1)} MB stored)`);
        recreate(s, `rss${sc}`);
      }
      return;
    }
    console.log(`pgbench -i -s ${scale} ...`);
    const source = pgbench(s, 'src', scale);
    const size = dbSize(source);
    console.log(`database: ${(size / 1e6).toFixed(0)} MB (pgbench scale ${scale}), ${cores} cores, ${execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }).trim()}`);
    execFileSync('psql', ['-X', '-q', source, '-c', 'CHECKPOINT']);

    const ours = store(s, 'ours');
    const [oursBackup, made] = await timed(() => postgresBackup({ connection: source, prefix: 'daily', format: 'custom', jobs: 2, compression: 1 }, { store: ours, heartbeat: () => undefined }));
    const seedFile = join(work, 'seed.sql.gz');
    const [seedDump] = await timed(() => sh(`pg_dump "$URL" | gzip > "$OUT"`, { URL: source, OUT: seedFile }));
    const seedStore = store(s, 'seed');
    const [seedUpload] = await timed(() => seedStore.put('daily/seed.sql.gz', createReadStream(seedFile)));
    const floorDir = join(work, 'floor');
    const [floorBackup] = await timed(() => sh(`pg_dump -Fd -j2 -Z1 -f "$OUT" "$URL"`, { URL: source, OUT: floorDir }));

    const t1 = recreate(s, 'r_ours');
    const [oursRestore] = await timed(() => postgresRestore({ target: t1, backup: made.id, jobs: 2, noOwner: false }, { store: ours, heartbeat: () => undefined }));
    const t2 = recreate(s, 'r_seed');
    const downloaded = join(work, 'downloaded.sql.gz');
    // As the seed's restore-automation.sh does it: download, gunzip to a file, then psql < file.
    const unpacked = join(work, 'restore.sql');
    const [seedRestore] = await timed(async () => {
      await pipeline(await seedStore.get('daily/seed.sql.gz'), createWriteStream(downloaded));
      sh(`gunzip -c "$IN" > "$OUT"`, { IN: downloaded, OUT: unpacked });
      sh(`psql -X -q "$URL" < "$IN" > /dev/null`, { IN: unpacked, URL: t2 });
    });
    rmSync(unpacked, { force: true });
    // The same, piped (not in the seed; shown so the gap the file makes is visible).
    const t2p = recreate(s, 'r_seed_piped');
    const [seedPiped] = await timed(async () => {
      await pipeline(await seedStore.get('daily/seed.sql.gz'), createWriteStream(downloaded));
      sh(`gunzip -c "$IN" | psql -X -q -v ON_ERROR_STOP=1 "$URL" > /dev/null`, { IN: downloaded, URL: t2p });
    });
    const t3 = recreate(s, 'r_floor');
    const [floorRestore] = await timed(() => sh(`pg_restore -j2 -d "$URL" "$IN"`, { URL: t3, IN: floorDir }));

    const rss: Array<[number, number, { seconds: number; bytes: number; maxRssKb: number }]> = [];
    for (const sc of rssScales) {
      const url = sc === scale ? source : pgbench(s, `rss${sc}`, sc);
      rss.push([sc, dbSize(url), await runChild(s, url)]);
    }

    const seedBackup = seedDump + seedUpload;
    const f = (n: number) => `${n.toFixed(1)} s`;
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    console.log('');
    console.log(`| what | ours | baseline | ratio |`);
    console.log(`|---|---|---|---|`);
    console.log(`| backup vs seed (pg_dump \\| gzip > file, then upload) | ${f(oursBackup)} | ${f(seedBackup)} (dump ${f(seedDump)} + upload ${f(seedUpload)}) | ${x(seedBackup, oursBackup)} faster |`);
    console.log(`| backup vs floor (pg_dump -Fd -j2 -Z1 to local disk) | ${f(oursBackup)} | ${f(floorBackup)} | ${x(oursBackup, floorBackup)} of floor |`);
    console.log(`| restore vs seed (download, gunzip > file, psql < file) | ${f(oursRestore)} | ${f(seedRestore)} | ${x(seedRestore, oursRestore)} faster |`);
    console.log(`| restore vs seed piped (download, gunzip -c \\| psql; not the seed's) | ${f(oursRestore)} | ${f(seedPiped)} | ${x(seedPiped, oursRestore)} faster |`);
    console.log(`| restore vs floor (pg_restore -j2 from local disk) | ${f(oursRestore)} | ${f(floorRestore)} | ${x(oursRestore, floorRestore)} of floor |`);
    console.log('');
    console.log(`backup size: ours ${(made.bytes / 1e6).toFixed(1)} MB (gzip -1), seed ${(execFileSync('stat', ['-c', '%s', seedFile], { encoding: 'utf8' }).trim() as unknown as number / 1e6).toFixed(1)} MB (gzip -6)`);
    for (const [sc, bytes, r] of rss) console.log(`peak RSS of a backup process: ${(r.maxRssKb / 1024).toFixed(0)} MB at ${(bytes / 1e6).toFixed(0)} MB of database (scale ${sc}, ${f(r.seconds)})`);
  } finally {
    await sup.stopAll();
    if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
  }
}

if (args.includes('--child')) await childBackup();
else await main();
