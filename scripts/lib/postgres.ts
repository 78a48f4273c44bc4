// A throw-away local PostgreSQL server (no Docker): initdb once into the state dir, run `postgres`
// in the foreground under our supervision, trust auth on 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { assertPortsFree } from './ports.js';
import { Supervisor, type SupervisedChild } from './process.js';
import { indent, isRoot, say, tailFile, waitUntil } from './util.js';

const APT_PACKAGE = 'postgresql-15';

interface UserIds {
  uid: number;
  gid: number;
}

export interface LocalPostgres {
  url: string;
  port: number;
  dataDir: string;
  bindir: string;
  logFile: string;
  child: SupervisedChild;
  stop(): Promise<void>;
}

function hasServer(bindir: string | undefined): bindir is string {
  return !!bindir && existsSync(join(bindir, 'postgres')) && existsSync(join(bindir, 'initdb')) && existsSync(join(bindir, 'pg_isready'));
}

function findBindir(): string | undefined {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && hasServer(fromConfig.stdout.trim())) return fromConfig.stdout.trim();
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (hasServer(join(base, v, 'bin'))) return join(base, v, 'bin');
  }
  return undefined;
}

/**
 * Returns the directory holding the PostgreSQL server binaries (postgres, initdb, pg_isready, psql).
 * Installs Debian's postgresql-15 when they are missing and we are root; otherwise says what to install.
 */
export function ensurePostgres(): string {
  let bindir = findBindir();
  if (bindir) return bindir;
  const canApt = isRoot() && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canApt) {
    throw new Error(
      'PostgreSQL server binaries (postgres, initdb, pg_isready) were not found via `pg_config --bindir` ' +
        `or in /usr/lib/postgresql/*/bin. Install them, e.g. \`sudo apt-get install -y ${APT_PACKAGE}\` ` +
        '(Debian/Ubuntu) or your system\'s PostgreSQL server package, then run this again.',
    );
  }
  say(`PostgreSQL server not found: installing ${APT_PACKAGE} with apt-get (one time) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', APT_PACKAGE]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  bindir = findBindir();
  if (!bindir) throw new Error(`${APT_PACKAGE} was installed but no server binaries were found in /usr/lib/postgresql/*/bin`);
  return bindir;
}

/** uid/gid of the `postgres` system user, created if missing (postgres refuses to run as root). */
function postgresUser(): UserIds {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    say('creating the system user `postgres` to run the local PostgreSQL server (it refuses to run as root)');
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('could not create the `postgres` user (useradd failed)');
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Can `user` reach into `dir`? (it cannot when an ancestor, such as /root, is private). */
function userCanReach(user: UserIds, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

function chownTree(dir: string, user: UserIds): void {
  const st = statSync(dir);
  if (st.uid === user.uid && st.gid === user.gid) return;
  spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dir], { stdio: 'inherit' });
  chownSync(dir, user.uid, user.gid);
}

function serverMajor(bindir: string): string | undefined {
  const r = spawnSync(join(bindir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const m = /(\d+)(?:\.\d+)?/.exec(r.stdout ?? '');
  return m ? m[1] : undefined;
}

// The superuser `postgres` connects without a password (local use only: 127.0.0.1 and the socket);
// every other role needs its password, so a wrong one is refused as on a real server (tested).
const HBA = `# Written by easymo-dr scripts/lib/postgres.ts at every start.
local all postgres trust
host  all postgres 127.0.0.1/32 trust
local all all scram-sha-256
host  all all 127.0.0.1/32 scram-sha-256
`;

function writeHba(dataDir: string, user: UserIds | undefined): void {
  const file = join(dataDir, 'pg_hba.conf');
  writeFileSync(file, HBA, { mode: 0o600 });
  if (user) chownSync(file, user.uid, user.gid);
}

/**
 * Starts PostgreSQL with its data in `dataDir` (initialised on first use, reused after) listening on
 * 127.0.0.1:`port` only, with trust auth for the `postgres` superuser (passwords for other roles), and creates `database`.
 * Returns { url, port, dataDir, child, stop() }. Pass `supervisor` to stop it with the rest of a stack.
 */
export async function startPostgres({
  dataDir,
  port,
  database = 'dr',
  name = 'postgres',
  supervisor,
  logFile,
  fast = false,
  timeoutMs = 60_000,
}: {
  dataDir: string;
  port: number;
  database?: string;
  /** The name the supervisor reports it by (default postgres). */
  name?: string;
  supervisor?: Supervisor | undefined;
  logFile?: string;
  /** fsync off: for throw-away test data only. */
  fast?: boolean;
  timeoutMs?: number;
}): Promise<LocalPostgres> {
  const bindir = ensurePostgres();
  const sup = supervisor ?? new Supervisor();
  dataDir = resolve(dataDir);
  logFile = logFile ?? `${dataDir}.log`;
  mkdirSync(dirname(dataDir), { recursive: true });
  await assertPortsFree([{ port, what: 'PostgreSQL' }]);

  const user = isRoot() ? postgresUser() : undefined;
  if (user && !userCanReach(user, dirname(dataDir))) {
    // The postgres user cannot reach the state dir (e.g. the clone lives under /root): keep the
    // cluster in a private folder under the temp dir instead, one per requested data dir.
    const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    const fallback = join(tmpdir(), `easymo-dr-pg-${key}`);
    mkdirSync(fallback, { recursive: true, mode: 0o755 });
    chownSync(fallback, user.uid, user.gid);
    say(`the postgres user cannot reach ${dirname(dataDir)}; keeping this PostgreSQL's data in ${fallback} instead`);
    dataDir = join(fallback, 'data');
  }
  const socketDir = `${dataDir}-socket`;

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(dataDir, user.uid, user.gid);
    say(`initialising a PostgreSQL cluster in ${dataDir}`);
    const fd = openSync(logFile, 'a');
    const r = spawnSync(
      join(bindir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { stdio: ['ignore', fd, fd], uid: user?.uid, gid: user?.gid, cwd: dataDir },
    );
    closeSync(fd);
    if (r.status !== 0) {
      throw new Error(`initdb failed (exit ${r.status ?? r.signal}); last lines of ${logFile}:\n${indent(tailFile(logFile, 30))}`);
    }
  } else {
    const have = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
    const want = serverMajor(bindir);
    if (want && have !== want) {
      throw new Error(
        `${dataDir} holds a PostgreSQL ${have} cluster but the server found is ${want} (${bindir}). ` +
          `Remove the folder (rm -rf ${dataDir}) to start afresh.`,
      );
    }
    if (user) chownTree(dataDir, user);
  }
  mkdirSync(socketDir, { recursive: true });
  if (user) chownSync(socketDir, user.uid, user.gid);
  writeHba(dataDir, user);

  const args = ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1'];
  if (fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = sup.spawn(name, join(bindir, 'postgres'), args, {
    logFile,
    uid: user?.uid,
    gid: user?.gid,
    cwd: dataDir,
    stopSignal: 'SIGINT', // "fast" shutdown: roll back open transactions, then stop
    signalLeaderOnly: true,
    stopTimeoutMs: 20_000,
  });

  const pgIsReady = join(bindir, 'pg_isready');
  await waitUntil(
    () => spawnSync(pgIsReady, ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-t', '2']).status === 0,
    { timeoutMs, intervalMs: 200, what: `PostgreSQL on 127.0.0.1:${port} did not become ready`, abort: () => sup.deathReason(child) },
  );

  const psql = join(bindir, 'psql');
  const conn = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1'];
  const exists = spawnSync(psql, [...conn, '-d', 'postgres', '-tAc', `SELECT 1 FROM pg_database WHERE datname = '${database.replace(/'/g, "''")}'`], {
    encoding: 'utf8',
  });
  if (exists.status !== 0) throw new Error(`psql could not query PostgreSQL on port ${port}: ${exists.stderr}`);
  if (exists.stdout.trim() !== '1') {
    const created = spawnSync(psql, [...conn, '-d', 'postgres', '-c', `CREATE DATABASE "${database.replace(/"/g, '""')}"`], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`could not create database ${database}: ${created.stderr}`);
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    bindir,
    logFile,
    child,
    stop: () => sup.stop(child),
  };
}
