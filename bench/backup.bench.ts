// Backup and restore benchmark (not a test): two shapes of database, each measured side by side in
// one run against the seed's pipeline and the bare tools' floor, printed as ratios.
//
//   node --import tsx bench/backup.bench.ts [--size 1GB] [--shapes pgbench,easymo] [--rounds 3]
//        [--jobs <cores>] [--seed-rounds 1] [--pg-port N] [--s3-port N] [--keep] [--timeline] [--child-defaults]
//        [--format custom|directory] [--link-mbps N]
//
// Shapes: pgbench (`pgbench -i`, one big table) and easymo (bench/easymo-data.ts: users,
// transactions, messages with foreign keys, indexes, RLS, realistic text). It starts its own
// PostgreSQL and S3 server (versitygw) under .state/bench/ (free ports unless given), and per round,
// the three contenders one after the other (their order rotates each round):
//   seed,  backup:   pg_dump | gzip > file, then the file uploaded (multipart, like `aws s3 cp`)
//   floor, backup:   pg_dump -Fc -Z1 to local disk, nothing uploaded
//   ours,  backup:   postgres.backup (custom format, gzip -1) streamed to the S3 server
//   seed,  restore:  download, gunzip to a file, psql < file (the seed's restore-automation.sh)
//   floor, restore:  pg_restore -j<jobs> from the floor's local file; timed apart, the same file
//                    fetched from the S3 server to disk (put there untimed after the floor's backup):
//                    a restore from the bucket by hand is that fetch, then pg_restore
//   ours,  restore:  postgres.restore from the S3 server (download + sha256 check, scheduled restore)
// Ours runs in a fresh Node process each time (bench/backup-child.mjs, the activities compiled in
// dist/src as the worker runs them, rebuilt first when a source changed, with the worker's memory
// settings unless --child-defaults), which reports its time and
// peak RSS (getrusage maxrss) and CPU (its own, its tools', the S3 server's while it ran): the
// worker's share of a backup or restore and what it costs the machine. Ratios are per round; the table shows medians.
// --format directory: ours backs up in directory format (pg_dump -j<jobs>), against a floor of
// `pg_dump -Fd -j<jobs> -Z1` to disk. --link-mbps N: everything that moves data to or from the S3
// server (ours, the seed's upload and download, the floor's fetch) goes through a link of N MiB/s
// each way (bench/link.ts), as to a bucket in another network; the floor's dump and restore stay local.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { S3BackupStore } from '../src/activities/storage/s3-store.js';
import { buildCli, staleReason } from '../scripts/build-cli.mjs';
import { WORKER_MEMORY_SETTINGS } from '../scripts/lib/worker-command.js';
import { procCpu } from './proc-stat.mjs';
import { startPostgres } from '../scripts/lib/postgres.js';
import { Supervisor } from '../scripts/lib/process.js';
import { startS3 } from '../scripts/lib/s3.js';
import { makeEasymoDatabase, parseSize } from './easymo-data.js';
import { flag, option } from './args.js';
import { freePort } from './free-port.js';
import { startLink } from './link.js';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.state', 'bench');

interface Servers {
  pgUrl: string;
  s3: { endpoint: string; accessKey: string; secretKey: string };
}
interface ChildResult {
  seconds: number;
  maxRssKb: number;
  /** CPU of the child's Node process, and of the tools it ran (pg_dump, pg_restore, psql). */
  cpuMs: number;
  toolsCpuMs: number;
  /** CPU of the S3 server while the child ran (set here). */
  s3CpuMs: number;
  id?: string;
  bytes?: number;
}

const format = option('--format', 'custom');
if (format !== 'custom' && format !== 'directory') throw new Error(`--format: expected custom or directory, got ${JSON.stringify(format)}`);
const linkMbps = Number(option('--link-mbps', '0'));

function store(s: Servers, prefix: string): S3BackupStore {
  return new S3BackupStore({
    bucket: 'bench',
    root: prefix,
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

const psqlValue = (url: string, sql: string) => execFileSync('psql', ['-X', '-tA', url, '-c', sql], { encoding: 'utf8' }).trim();

/** `table=rows,...` for every user table, counted. */
function exactCounts(url: string): string {
  const tables = psqlValue(url, `SELECT string_agg(format('%I.%I', schemaname, relname), ' ' ORDER BY schemaname, relname) FROM pg_stat_user_tables`).split(' ');
  return tables.map((t) => `${t}=${psqlValue(url, `SELECT count(*) FROM ${t}`)}`).join(',');
}


let s3Pid: number | undefined;
const cpuOf = (pid: number | undefined) => (pid ? procCpu(pid).ownMs : 0);
/** CPU of this process's ended, waited-for children (the floor's pg_dump / pg_restore), in ms. */
const childrenCpu = () => procCpu('self').waitedChildrenMs;

// Ours' process runs with the worker's memory settings, as `npm start` and the image run the worker.
const childSettings = flag('--child-defaults') ? { nodeFlags: [], env: {} } : WORKER_MEMORY_SETTINGS;

function runChild(extra: string[]): Promise<ChildResult> {
  const s3Before = cpuOf(s3Pid);
  return new Promise((done, reject) => {
    const c = spawn(process.execPath, [...childSettings.nodeFlags, 'bench/backup-child.mjs', ...extra], {
      cwd: root,
      env: { ...process.env, ...childSettings.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('close', (code) => (code === 0 ? done({ ...(JSON.parse(out.trim().split('\n').pop()!) as ChildResult), s3CpuMs: cpuOf(s3Pid) - s3Before }) : reject(new Error(`child exited ${code}`))));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Seconds of CPU while ours ran: its Node process, the PostgreSQL tools it ran, the S3 server. */
interface Cpu {
  node: number;
  tools: number;
  s3: number;
}
const cpuOfChild = (c: ChildResult): Cpu => ({ node: c.cpuMs / 1000, tools: c.toolsCpuMs / 1000, s3: c.s3CpuMs / 1000 });

interface Round {
  backup: { seed?: number; floor: number; ours: number; oursRss: number; oursBytes: number; oursCpu: Cpu; floorToolsCpu: number };
  /** floorFetch: the floor's archive fetched from the bucket to disk, as a hand-run restore would start. */
  restore: { seed?: number; floor: number; floorFetch: number; ours: number; oursRss: number; oursCpu: Cpu; floorToolsCpu: number };
}

async function makeShape(s: Servers, shape: string, size: number): Promise<string> {
  const url = recreate(s, `src_${shape}`);
  if (shape === 'pgbench') {
    // Scale 66 makes 1043 MB on PostgreSQL 15.
    sh(`pgbench -i -q -s ${Math.max(1, Math.round((size / 1043e6) * 66))} "$URL" 2>/dev/null`, { URL: url });
  } else await makeEasymoDatabase(url, { size, seed: 1 });
  execFileSync('psql', ['-X', '-q', url, '-c', 'CHECKPOINT']);
  return url;
}

const timeline = flag('--timeline');

/** Where the floor's archive of `shape` is kept: a file (custom) or a folder (directory). */
const floorPath = (shape: string): string => join(work, `${shape}.${format === 'custom' ? 'dump' : 'dir'}`);
/** The floor's archive: one file (custom), or a folder's files (directory). */
const floorFiles = (path: string): string[] => (format === 'custom' ? ['floor.dump'] : readdirSync(path).sort());
const floorBytes = (path: string): number => (format === 'custom' ? statSync(path).size : floorFiles(path).reduce((n, f) => n + statSync(join(path, f)).size, 0));

/** pg_restore -v, its items' start and end timed as it reports them (stderr). */
async function floorTimeline(jobs: number, url: string, file: string): Promise<void> {
  const t0 = performance.now();
  const c = spawn('pg_restore', ['-v', `-j${jobs}`, '-d', url, file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let rest = '';
  c.stderr.on('data', (b: Buffer) => {
    const lines = (rest + b.toString()).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (/launching item|finished item|processing item/.test(l)) console.error(`    floor ${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s  ${l.replace(/^pg_restore: /, '')}`);
    }
  });
  const [code] = (await once(c, 'close')) as [number];
  if (code !== 0) throw new Error(`pg_restore exited ${code}`);
}

async function measure(s: Servers, shape: string, source: string, round: number, jobs: number, withSeed: boolean): Promise<Round> {
  const servers = JSON.stringify(s);
  const file = floorPath(shape);
  const seedFile = join(work, `${shape}.sql.gz`);
  const seedStore = store(s, `seed-${shape}`);
  const floorStore = store(s, `floor-${shape}`);
  const contenders = withSeed ? ['seed', 'floor', 'ours'] : ['floor', 'ours'];
  const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!); // rotate each round
  const b: Partial<Round['backup']> = {};
  let backupId = '';
  for (const who of order) {
    if (who === 'seed') {
      const [dump] = await timed(() => sh(`pg_dump "$URL" | gzip > "$OUT"`, { URL: source, OUT: seedFile }));
      const [up] = await timed(() => seedStore.put('daily/seed.sql.gz', createReadStream(seedFile)));
      b.seed = dump + up;
    } else if (who === 'floor') {
      const before = childrenCpu();
      rmSync(file, { recursive: true, force: true });
      [b.floor] = await timed(() => sh(format === 'custom' ? `pg_dump -Fc -Z1 -f "$OUT" "$URL"` : `pg_dump -Fd -j${jobs} -Z1 -f "$OUT" "$URL"`, { URL: source, OUT: file }));
      b.floorToolsCpu = (childrenCpu() - before) / 1000;
      // Not timed: the floor's backup stays on disk.
      for (const name of floorFiles(file)) await floorStore.put(`floor/${name}`, createReadStream(format === 'custom' ? file : join(file, name)));
    }
    else {
      const r = await runChild(['--child', 'backup', '--servers', servers, '--store', `ours-${shape}`, '--db', source, '--jobs', String(jobs), '--format', format, ...(timeline ? ['--timeline'] : [])]);
      [b.ours, b.oursRss, b.oursBytes, b.oursCpu, backupId] = [r.seconds, r.maxRssKb / 1024, r.bytes!, cpuOfChild(r), r.id!];
    }
  }
  const r: Partial<Round['restore']> = {};
  for (const who of order) {
    const target = recreate(s, `r_${who}`);
    if (who === 'seed') {
      const downloaded = join(work, 'downloaded.sql.gz');
      const unpacked = join(work, 'restore.sql');
      [r.seed] = await timed(async () => {
        await pipeline(await seedStore.get('daily/seed.sql.gz'), createWriteStream(downloaded));
        sh(`gunzip -c "$IN" > "$OUT"`, { IN: downloaded, OUT: unpacked });
        sh(`psql -X -q "$URL" < "$IN" > /dev/null`, { IN: unpacked, URL: target });
      });
      rmSync(unpacked, { force: true });
    } else if (who === 'floor') {
      const fetched = join(work, 'fetched');
      mkdirSync(fetched);
      [r.floorFetch] = await timed(() => Promise.all(floorFiles(file).map(async (name) => pipeline(await floorStore.get(`floor/${name}`), createWriteStream(join(fetched, name))))));
      rmSync(fetched, { recursive: true, force: true });
      const before = childrenCpu();
      [r.floor] = await timed(async () => {
        if (timeline) await floorTimeline(jobs, target, file);
        else sh(`pg_restore -j${jobs} -d "$URL" "$IN"`, { URL: target, IN: file });
      });
      r.floorToolsCpu = (childrenCpu() - before) / 1000;
    } else {
      const c = await runChild(['--child', 'restore', '--servers', servers, '--store', `ours-${shape}`, '--db', target, '--backup', backupId, '--jobs', String(jobs), ...(timeline ? ['--timeline'] : [])]);
      [r.ours, r.oursRss, r.oursCpu] = [c.seconds, c.maxRssKb / 1024, cpuOfChild(c)];
    }
    if (who !== 'seed') {
      // Same rows as the source, or the figure means nothing.
      // Exact counts: ANALYZE's n_live_tup is an estimate from a sample once a table is large.
      const [a, z] = [exactCounts(source), exactCounts(target)];
      if (a !== z) throw new Error(`${who} restore of ${shape}: expected ${a}, got ${z}`);
    }
    recreate(s, `r_${who}`);
  }
  return { backup: b as Round['backup'], restore: r as Round['restore'] };
}

async function main(): Promise<void> {
  // The child runs dist/src: compile it first when a source changed, as `dr` and `npm start` do.
  if (staleReason()) await buildCli();
  const size = parseSize(option('--size', '100MB'));
  const shapes = option('--shapes', 'pgbench,easymo').split(',');
  const rounds = Number(option('--rounds', '3'));
  const seedRounds = Number(option('--seed-rounds', String(rounds)));
  const jobs = Number(option('--jobs', String(cpus().length)));
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const sup = new Supervisor();
  let closeLink = () => {};
  try {
    const [pg, s3] = await Promise.all([
      startPostgres({ dataDir: join(work, 'pg'), port: Number(option('--pg-port', '0')) || (await freePort()), database: 'bench', supervisor: sup }),
      startS3({ dataDir: join(work, 's3'), port: Number(option('--s3-port', '0')) || (await freePort()), buckets: ['bench'], supervisor: sup, fresh: true }),
    ]);
    const link = linkMbps > 0 ? await startLink(Number(new URL(s3.endpoint).port), linkMbps) : undefined;
    closeLink = () => link?.server.close();
    const endpoint = link ? `http://127.0.0.1:${link.port}` : s3.endpoint;
    const s: Servers = { pgUrl: pg.url, s3: { endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey } };
    s3Pid = s3.child.pid;
    console.log(`${cpus().length} cores, load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}, ${execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }).trim()}, jobs ${jobs}, format ${format}${link ? `, link to the S3 server ${linkMbps} MiB/s each way` : ''}`);
    const lines: string[] = [];
    for (const shape of shapes) {
      const [made, source] = await timed(() => makeShape(s, shape, size));
      const dbBytes = Number(psqlValue(source, 'SELECT pg_database_size(current_database())'));
      console.log(`${shape}: ${(dbBytes / 1e6).toFixed(0)} MB made in ${made.toFixed(0)} s`);
      const all: Round[] = [];
      for (let i = 0; i < rounds; i++) {
        const r = await measure(s, shape, source, i, jobs, i < seedRounds);
        all.push(r);
        const f = (n?: number) => (n === undefined ? '-' : n.toFixed(1));
        console.log(
          `  round ${i + 1}: backup seed ${f(r.backup.seed)} floor ${f(r.backup.floor)} ours ${f(r.backup.ours)} (${r.backup.oursRss.toFixed(0)} MB); ` +
            `restore seed ${f(r.restore.seed)} floor ${f(r.restore.floor)} (+ fetch ${f(r.restore.floorFetch)}) ours ${f(r.restore.ours)} (${r.restore.oursRss.toFixed(0)} MB); load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ')[0]}`,
        );
      }
      const med = (pick: (r: Round) => number | undefined) => median(all.map(pick).filter((n): n is number => n !== undefined));
      const ratio = (a: (r: Round) => number | undefined, b: (r: Round) => number | undefined) =>
        median(all.filter((r) => a(r) !== undefined && b(r) !== undefined).map((r) => a(r)! / b(r)!));
      const sz = `${shape} ${(dbBytes / 1e6).toFixed(0)} MB`;
      const s1 = (n: number) => `${n.toFixed(1)} s`;
      if (seedRounds > 0) {
        lines.push(`| ${sz} | backup vs seed (pg_dump \\| gzip > file, upload) | ${s1(med((r) => r.backup.ours))} | ${s1(med((r) => r.backup.seed))} | ${ratio((r) => r.backup.seed, (r) => r.backup.ours).toFixed(2)}x faster |`);
      }
      lines.push(`| ${sz} | backup vs floor (${format === 'custom' ? 'pg_dump -Fc -Z1' : `pg_dump -Fd -j${jobs} -Z1`} to disk) | ${s1(med((r) => r.backup.ours))} | ${s1(med((r) => r.backup.floor))} | ${ratio((r) => r.backup.ours, (r) => r.backup.floor).toFixed(2)}x of floor |`);
      if (seedRounds > 0) {
        lines.push(`| ${sz} | restore vs seed (download, gunzip > file, psql < file) | ${s1(med((r) => r.restore.ours))} | ${s1(med((r) => r.restore.seed))} | ${ratio((r) => r.restore.seed, (r) => r.restore.ours).toFixed(2)}x faster |`);
      }
      lines.push(`| ${sz} | restore vs floor (pg_restore -j${jobs} from disk) | ${s1(med((r) => r.restore.ours))} | ${s1(med((r) => r.restore.floor))} | ${ratio((r) => r.restore.ours, (r) => r.restore.floor).toFixed(2)}x of floor |`);
      lines.push(
        `| ${sz} | restore vs floor from the bucket (GET to disk, then pg_restore -j${jobs}) | ${s1(med((r) => r.restore.ours))} | ${s1(med((r) => r.restore.floorFetch + r.restore.floor))} | ${ratio((r) => r.restore.ours, (r) => r.restore.floorFetch + r.restore.floor).toFixed(2)}x of it |`,
      );
      lines.push(`| ${sz} | peak RSS of ours (backup / restore process), max of rounds | ${Math.max(...all.map((r) => r.backup.oursRss)).toFixed(0)} / ${Math.max(...all.map((r) => r.restore.oursRss)).toFixed(0)} MB | | |`);
      const cpu = (pick: (r: Round) => Cpu) => {
        const m = (k: keyof Cpu) => med((r) => pick(r)[k]).toFixed(1);
        return `${m('node')} / ${m('tools')} / ${m('s3')} s`;
      };
      lines.push(`| ${sz} | CPU while ours ran, backup: Node / pg tools / S3 server (median) | ${cpu((r) => r.backup.oursCpu)} | floor's pg_dump ${med((r) => r.backup.floorToolsCpu).toFixed(1)} s | |`);
      lines.push(`| ${sz} | CPU while ours ran, restore: Node / pg tools / S3 server (median) | ${cpu((r) => r.restore.oursCpu)} | floor's pg_restore ${med((r) => r.restore.floorToolsCpu).toFixed(1)} s | |`);
      lines.push(`| ${sz} | stored: ours / floor's file | ${(all[0]!.backup.oursBytes / 1e6).toFixed(1)} MB | ${(floorBytes(floorPath(shape)) / 1e6).toFixed(1)} MB | |`);
      recreate(s, `src_${shape}`);
    }
    console.log(`\nmedians of ${rounds} rounds (seed in the first ${Math.min(seedRounds, rounds)}), ratios per round then the median:\n`);
    console.log('| shape | what | ours | baseline | ratio |');
    console.log('|---|---|---|---|---|');
    for (const l of lines) console.log(l);
  } finally {
    closeLink();
    await sup.stopAll();
    if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
  }
}

await main();
