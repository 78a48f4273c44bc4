// Point-in-time recovery through pgBackRest against the pg_dump / pg_restore path, on the same
// database, side by side in one run: backup time, restore time (to a database that answers), and the
// RPO each path achieves when the server is lost.
//
//   node --import tsx bench/pitr.bench.ts [--size 1GB] [--rounds 2] [--dataset easymo|pgbench] [--write-for 90s]
//
// It starts its own PostgreSQL on a free port under .state/bench-pitr/, fills it (bench/easymo-data.ts,
// the EasyMO demo schema at that size; or pgbench at the matching scale), turns WAL archiving on with
// `pgbackrest.stanza` (an encrypted local repository, zstd, 2 processes; archive_timeout 60 s), then
// per round, the two paths interleaved and their order swapped each round:
//   backup  pgBackRest: `pgbackrest.backup` full        pg_dump: `postgres.backup` (custom format, 2 jobs, gzip -1) into a local store
//   restore pgBackRest: `pgbackrest.restore` latest into a new data directory, started and promoted
//           pg_dump: `postgres.restore` (pg_restore, 2 jobs) into an empty database
// Then the RPO: rows are committed every 100 ms for --write-for, the server is killed
// (`pg_ctl stop -m immediate`, its pg_wal lost with it), and each path's newest restorable point is
// compared with the moment of the loss: pgBackRest's is measured on a restore (the last transaction
// the restored server replayed); pg_dump's is the start of its last dump (its snapshot).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { pgbackrestRestore } from '../src/activities/pgbackrest/restore.js';
import { pgbackrestBackup, pgbackrestCheck, pgbackrestStanza } from '../src/activities/pgbackrest/stanza.js';
import { postgresBackup } from '../src/activities/postgres/backup.js';
import { postgresRestore } from '../src/activities/postgres/restore.js';
import { FsBackupStore } from '../src/activities/storage/fs-store.js';
import { ensurePgBackRest, pgBackRestVersion } from '../scripts/lib/pgbackrest.js';
import { startPostgres, type LocalPostgres } from '../scripts/lib/postgres.js';
import { Supervisor } from '../scripts/lib/process.js';
import { makeEasymoDatabase, parseSize } from './easymo-data.js';
import { flag, option } from './args.js';
import { freePort } from './free-port.js';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.state', 'bench-pitr');

const quiet = { heartbeat: () => undefined, log: { info() {}, warn() {} } };
const ref = { runId: 'bench', stepId: 'bench' };
const stanza = 'bench';


async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [(performance.now() - t0) / 1000, value];
}

const dbUrl = (base: string, db: string) => Object.assign(new URL(base), { pathname: `/${db}` }).toString();
const psql = (url: string, sql: string) => execFileSync('psql', ['-X', '-q', '-tA', url, '-c', sql], { encoding: 'utf8' }).trim();
const asPostgres = (cmd: string) => execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { stdio: 'ignore' });
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const dirBytes = (dir: string) => Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

async function main(): Promise<void> {
  const size = parseSize(option('--size', '1GB'));
  const rounds = Number(option('--rounds', '2'));
  const dataset = option('--dataset', 'easymo');
  const writeForMs = Number(option('--write-for', '90s').replace(/s$/, '')) * 1000;
  ensurePgBackRest();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  chmodSync(work, 0o755); // the postgres user reaches the repository and the stanza's config through it
  const env = { ...process.env, BENCH_CIPHER: 'bench cipher passphrase' };
  const deps = { ...quiet, baseDir: join(work, 'pgbackrest'), env };
  const sup = new Supervisor();
  let source: LocalPostgres | undefined;
  try {
    const port = await freePort();
    source = await startPostgres({ dataDir: join(work, 'source'), port, database: 'agent_core', supervisor: sup });
    const url = source.url;
    const t0 = performance.now();
    if (dataset === 'pgbench') {
      const scale = Math.round(size / 15.7e6); // about 15.7 MB per scale unit on PostgreSQL 15
      execFileSync('pgbench', ['-i', '-q', '-s', String(scale), url], { stdio: 'ignore' });
    } else {
      await makeEasymoDatabase(url, { size });
    }
    const bytes = Number(psql(url, 'SELECT pg_database_size(current_database())'));
    console.log(`dataset ${dataset}: ${mb(bytes)} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    console.log(`${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, ${psql(url, 'SHOW server_version')}, ${pgBackRestVersion()}, load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`);

    const stanzaResult = await pgbackrestStanza(
      {
        ...ref,
        stanza,
        pgPath: source.dataDir,
        pgPort: port,
        pgSocketPath: `${source.dataDir}-socket`,
        pgUser: 'postgres',
        repo: { path: join(work, 'repo') },
        cipherPass: 'env:BENCH_CIPHER',
        retentionFull: 9,
        compress: 'zst',
        processMax: 2,
        archive: true,
      },
      deps,
    );
    if (stanzaResult.restartRequired) {
      await source.stop();
      source = await startPostgres({ dataDir: source.dataDir, port, database: 'agent_core', supervisor: sup });
    }
    await pgbackrestCheck({ ...ref, stanza }, deps);
    const store = new FsBackupStore(join(work, 'store'));
    const dumpDeps = { ...quiet, store, workDir: join(work, 'tmp') };
    mkdirSync(dumpDeps.workDir, { recursive: true });

    const rows: string[][] = [];
    let lastDump: { createdAt: string } | undefined;
    for (let round = 1; round <= rounds; round++) {
      const pgbrFirst = round % 2 === 1;
      const backups: Record<string, [number, number]> = {};
      const doPgbr = async () => {
        const [s, r] = await timed(() => pgbackrestBackup({ ...ref, stanza, type: 'full' }, deps));
        backups.pgbr = [s, r.backup.repoSizeBytes];
      };
      const doDump = async () => {
        const [s, r] = await timed(() => postgresBackup({ connection: url, prefix: 'daily', format: 'custom', jobs: 2, compression: 1 }, dumpDeps));
        backups.dump = [s, r.bytes];
        lastDump = r;
      };
      for (const f of pgbrFirst ? [doPgbr, doDump] : [doDump, doPgbr]) await f();

      const restores: Record<string, number> = {};
      const doPgbrRestore = async () => {
        const dataDir = join(work, `restored-${round}`);
        const [s] = await timed(() => pgbackrestRestore({ ...ref, stanza, target: 'latest', exclusive: false, verify: false, dataDir, port: String(port + 1) }, deps));
        restores.pgbr = s;
        asPostgres(`${join(source!.bindir, 'pg_ctl')} stop -D ${dataDir} -m fast -w`);
        rmSync(dataDir, { recursive: true, force: true });
      };
      const doDumpRestore = async () => {
        psql(url, 'DROP DATABASE IF EXISTS restored WITH (FORCE)');
        psql(url, 'CREATE DATABASE restored');
        const [s] = await timed(() => postgresRestore({ target: dbUrl(url, 'restored'), backup: 'latest', prefix: 'daily', jobs: 2, noOwner: false }, dumpDeps));
        restores.dump = s;
        psql(url, 'DROP DATABASE restored WITH (FORCE)');
      };
      for (const f of pgbrFirst ? [doPgbrRestore, doDumpRestore] : [doDumpRestore, doPgbrRestore]) await f();
      const line = [
        String(round),
        `${backups.pgbr![0].toFixed(1)} s (${mb(backups.pgbr![1])})`,
        `${backups.dump![0].toFixed(1)} s (${mb(backups.dump![1])})`,
        `${(backups.pgbr![0] / backups.dump![0]).toFixed(2)}x`,
        `${restores.pgbr!.toFixed(1)} s`,
        `${restores.dump!.toFixed(1)} s`,
        `${(restores.pgbr! / restores.dump!).toFixed(2)}x`,
      ];
      rows.push(line);
      console.log(`round ${line[0]} (${pgbrFirst ? 'pgBackRest first' : 'pg_dump first'}): backup pgBackRest ${line[1]}, pg_dump ${line[2]} = ${line[3]}; restore pgBackRest ${line[4]}, pg_restore ${line[5]} = ${line[6]}`);
    }

    // RPO: commits every 100 ms, then the server is lost.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE IF NOT EXISTS rpo_probe (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())');
    const until = Date.now() + writeForMs;
    while (Date.now() < until) {
      await client.query('INSERT INTO rpo_probe DEFAULT VALUES');
      await delay(100);
    }
    const lastCommit = (await client.query<{ at: Date }>('SELECT max(at) AS at FROM rpo_probe')).rows[0]!.at;
    await client.end().catch(() => {});
    const lostAt = new Date().toISOString();
    asPostgres(`${join(source.bindir, 'pg_ctl')} stop -D ${source.dataDir} -m immediate -w`);
    const dataDir = join(work, 'restored-rpo');
    const restored = await pgbackrestRestore({ ...ref, stanza, target: 'latest', exclusive: false, verify: false, dataDir, port: String(port + 1), incidentAt: lostAt }, deps);
    asPostgres(`${join(source.bindir, 'pg_ctl')} stop -D ${dataDir} -m fast -w`);
    const dumpRpoMs = Date.parse(lostAt) - Date.parse(lastDump!.createdAt);
    console.log(
      `RPO when the server is lost at ${lostAt} (last commit ${lastCommit.toISOString()}, after ${writeForMs / 1000} s of commits every 100 ms):\n` +
        `  pgBackRest: ${(restored.rpo.achievedMs / 1000).toFixed(1)} s (last transaction recovered ${restored.lastTransactionAt}, read from the restored server; bound: archive_timeout ${psqlSetting(dataDir)})\n` +
        `  pg_dump:    ${(dumpRpoMs / 1000).toFixed(1)} s since the start of its last dump (${lastDump!.createdAt}); on the seed's daily schedule up to 24 h`,
    );
    console.log(`repository ${mb(dirBytes(join(work, 'repo')))} (${rounds} full backups and the WAL), dump store ${mb(dirBytes(join(work, 'store')))}`);
  } finally {
    await sup.stopAll();
    if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
  }
}

/** archive_timeout as the stanza left it in the (copied) configuration. */
function psqlSetting(dataDir: string): string {
  const auto = execFileSync('cat', [join(dataDir, 'postgresql.auto.conf')], { encoding: 'utf8' });
  return /archive_timeout = '([^']+)'/.exec(auto)?.[1] ?? 'unset';
}

await main();
