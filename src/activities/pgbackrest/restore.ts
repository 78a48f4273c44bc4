// pgbackrest.restore: a point-in-time restore into a new data directory, started on a new port, and
// the point actually recovered read from the restored server. Everything that can be checked is
// checked before the new directory is created: the repository is readable and decryptable, the
// backup exists, `pgbackrest verify` finds every file intact, and the WAL archive has no gap. The
// source database and its data directory are never written.
import { existsSync, mkdirSync, readdirSync, readFileSync, chownSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { abortableSleep, activityHooks } from '../context.js';
import { Redactor } from '../secrets.js';
import { PGBACKREST_TARGETS } from '../../runbook/model.js';
import { classify, pgBinDir, pgbackrest, pgbackrestRaw, psql, stepFailure, type Invocation, type PgBackRestDeps } from './command.js';
import { backupBefore, type PgBackRestBackup, type PgBackRestInfo } from './info.js';
import { describeFailure, runCommand } from './run.js';
import { invocationFor, readInfo, type PgBackRestActivityDeps } from './stanza.js';
import type { PgBackRestRestoreInput, PgBackRestRestoreResult } from './types.js';
import { firstMissingSegment } from './wal.js';
import { failure, FailureTypes } from '../errors.js';

/** ISO time → the form recovery_target_time reads unambiguously (UTC offset spelled out). */
export function recoveryTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`Expected an ISO time like 2024-03-15T11:30:00Z, got ${JSON.stringify(iso)}`);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** The backup the target starts from, or a BackupNotFound failure saying what there is. */
function chooseBackup(input: PgBackRestRestoreInput, info: PgBackRestInfo, redactor: Redactor): PgBackRestBackup {
  const valid = info.backups.filter((b) => !b.error);
  const have = valid.map((b) => `${b.label} (stopped ${b.stoppedAt})`).join(', ') || 'none';
  let chosen: PgBackRestBackup | undefined;
  if (input.target === 'label') chosen = valid.find((b) => b.label === input.label);
  else if (input.target === 'time') chosen = backupBefore(valid, Date.parse(input.time!));
  else chosen = valid.at(-1);
  if (!chosen) {
    const wanted = input.target === 'label' ? `backup ${input.label}` : input.target === 'time' ? `a backup that ended before ${input.time}` : 'a backup';
    throw failure(FailureTypes.BackupNotFound, `Stanza "${input.stanza}" has no ${wanted}; backups: ${have}`, redactor);
  }
  return chosen;
}

/** `pgbackrest verify`: every backup file's checksum and the archive's WAL files, read from the repository. */
async function verifyRepository(deps: PgBackRestDeps, inv: Invocation): Promise<void> {
  const result = await pgbackrestRaw(deps, inv, 'verify', ['--output=text', '--log-level-console=info']);
  const text = `${result.stdout}\n${result.stderr}`;
  const problems = text.split('\n').filter((l) => /invalid|missing|error|checksum|unable/i.test(l) && !/\b0 (invalid|missing|error)/i.test(l));
  if (result.code !== 0 || /checksum invalid: [1-9]|invalid: [1-9]|missing: [1-9]|\bERROR:/i.test(text)) {
    const detail = problems.slice(0, 12).join('\n') || describeFailure(result);
    throw failure(classify(detail) === FailureTypes.StoreUnavailable ? FailureTypes.StoreUnavailable : classify(detail) === FailureTypes.RepositoryDecryptFailed ? FailureTypes.RepositoryDecryptFailed : FailureTypes.BackupCorrupt,
      `pgbackrest verify found the repository of stanza "${inv.stanza}" damaged; nothing was restored:\n${detail}`, inv.redactor);
  }
}

/** Every WAL segment from the backup's first one on is in the archive (through `until` for a label target). */
async function checkWal(deps: PgBackRestDeps, inv: Invocation, info: PgBackRestInfo, backup: PgBackRestBackup, until?: string): Promise<string> {
  if (!info.archive) throw failure(FailureTypes.WalMissing, `Stanza "${inv.stanza}" has no WAL archive: nothing to replay onto ${backup.label}`, inv.redactor);
  const listed = await pgbackrest(deps, inv, 'repo-ls', ['--recurse', '--output=json', '--log-level-console=off'], [`archive/${inv.stanza}/${info.archive.id}`]);
  const files = Object.keys(JSON.parse(listed.stdout) as Record<string, unknown>);
  const missing = firstMissingSegment(files, backup.walStart, until);
  if (missing) {
    throw failure(
      FailureTypes.WalMissing,
      `WAL segment ${missing} is missing from the archive of stanza "${inv.stanza}" (needed to replay backup ${backup.label} ` +
        `from ${backup.walStart}${until ? ` to ${until}` : ` to the newest archived segment ${info.archive.max}`}); nothing was restored. ` +
        'Restore to a backup label (target: label) before the gap, or recover the segment from the server\'s pg_wal.',
      inv.redactor,
    );
  }
  return until ?? info.archive.max;
}

/** An include folder with the restore's own passphrase (the server's restore_command reads it too). */
function includeWithPassphrase(inv: Invocation, port: number, passphrase: string): string {
  const dir = join(inv.paths.dir, `restore-${port}`, 'conf.d');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const kept = readFileSync(inv.paths.secrets, 'utf8').split('\n').filter((l) => !l.startsWith('repo1-cipher-pass='));
  writeFileSync(join(dir, 'secrets.conf'), `${kept.join('\n').trimEnd()}\nrepo1-cipher-pass=${passphrase}\n`, { mode: 0o600 });
  for (const p of [join(dir, '..'), dir, join(dir, 'secrets.conf')]) if (inv.runAs.uid !== undefined) chownSync(p, inv.runAs.uid, inv.runAs.gid!);
  return dir;
}

function restoreArgs(input: PgBackRestRestoreInput, backup: PgBackRestBackup): { args: string[]; targetValue?: string } {
  const args = [`--pg1-path=${input.dataDir}`, '--archive-mode=off'];
  // A new directory: `delta` is never wanted, and the restored server must not archive into the source's stanza.
  switch (input.target) {
    case 'latest':
      return { args: [...args, `--set=${backup.label}`, '--type=default'] };
    case 'label':
      return { args: [...args, `--set=${backup.label}`, '--type=immediate', '--target-action=promote'], targetValue: backup.label };
    case 'time': {
      const value = recoveryTime(input.time!);
      return { args: [...args, `--set=${backup.label}`, '--type=time', `--target=${value}`, '--target-action=promote', ...(input.exclusive ? ['--target-exclusive'] : [])], targetValue: value };
    }
    case 'name':
      return { args: [...args, `--set=${backup.label}`, '--type=name', `--target=${input.name!}`, '--target-action=promote'], targetValue: input.name };
  }
}

export async function pgbackrestRestore(input: PgBackRestRestoreInput, deps: PgBackRestActivityDeps): Promise<PgBackRestRestoreResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  try {
    const port = Number(input.port);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw failure(FailureTypes.StepCommandFailed, `Expected port to be a port number, got ${JSON.stringify(input.port)}`, redactor);
    const incidentMs = input.incidentAt === undefined ? Date.now() : Date.parse(input.incidentAt);
    if (Number.isNaN(incidentMs)) throw failure(FailureTypes.StepCommandFailed, `Expected incidentAt to be an ISO time, got ${JSON.stringify(input.incidentAt)}`, redactor);
    // Templated fields are checked once rendered; an empty time means the incident time.
    if (!(PGBACKREST_TARGETS as readonly string[]).includes(input.target)) {
      throw failure(FailureTypes.StepCommandFailed, `Expected target to be one of ${PGBACKREST_TARGETS.join(', ')}, got ${JSON.stringify(input.target)}`, redactor);
    }
    if (input.target === 'time') input = { ...input, time: input.time || new Date(incidentMs).toISOString() };
    const field = ({ latest: undefined, time: 'time', name: 'name', label: 'label' } as const)[input.target];
    if (field && !input[field]) throw failure(FailureTypes.StepCommandFailed, `Expected \`${field}\` for target ${input.target}, got nothing`, redactor);
    const inv = invocationFor(input.stanza, deps, redactor);

    // The target: a directory that does not exist or is empty, a port nobody listens on.
    if (existsSync(input.dataDir) && readdirSync(input.dataDir).length > 0) {
      throw failure(FailureTypes.StepCommandFailed, `Refusing to restore into ${input.dataDir}: it is not empty (a restore goes into a new data directory)`, redactor);
    }
    if (await portInUse(port)) throw failure(FailureTypes.StepCommandFailed, `Refusing to start the restored server on port ${port}: something already listens there`, redactor);
    if (input.cipherPass !== undefined) inv.includeDir = includeWithPassphrase(inv, port, redactor.resolve(input.cipherPass, hooks.env));

    // Pre-flight, read-only: the repository, the backup, its files, the WAL.
    const info = await readInfo(deps, inv);
    const backup = chooseBackup(input, info, redactor);
    if (input.verify) await verifyRepository(deps, inv);
    const walTo = await checkWal(deps, inv, info, backup, input.target === 'label' ? backup.walStop : undefined);
    hooks.heartbeat({ stanza: input.stanza, phase: 'restore', backup: backup.label });

    mkdirSync(input.dataDir, { recursive: true, mode: 0o700 });
    if (inv.runAs.uid !== undefined) chownSync(input.dataDir, inv.runAs.uid, inv.runAs.gid!);
    const { args, targetValue } = restoreArgs(input, backup);
    await pgbackrest(deps, inv, 'restore', args);

    // Start it where nothing else listens: TCP on 127.0.0.1 and a socket in its own directory.
    const bin = pgBinDir(deps.pgBinDir, info.pgVersion);
    const logFile = join(input.dataDir, 'easymo-dr-restore.log');
    const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${input.dataDir} -c archive_mode=off`;
    const start = await runCommand(bin ? join(bin, 'pg_ctl') : 'pg_ctl', ['start', '-D', input.dataDir, '-l', logFile, '-w', '-t', '86400', '-o', opts], {
      runAs: inv.runAs,
      redactor,
      signal: inv.signal,
      heartbeat: () => hooks.heartbeat({ stanza: input.stanza, phase: 'recovery' }),
    });
    const serverLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(-15).join('\n') : '');
    if (start.code !== 0) {
      const log = serverLog();
      const type = /could not find|requested WAL segment|recovery ended before/i.test(log) ? FailureTypes.WalMissing : FailureTypes.StepCommandFailed;
      // PostgreSQL stops at a time only on a commit after it: a target past the newest archived commit is never reached.
      const hint = /recovery ended before configured recovery target/i.test(log)
        ? `\nThe archive ends before the target ${targetValue ?? ''}: no transaction after it was archived. Restore with target latest (everything archived), or an earlier time.`
        : '';
      throw failure(type, `The restored server in ${input.dataDir} did not start: ${describeFailure(start)}\n${log}${hint}`, redactor);
    }

    const conn = { host: '127.0.0.1', port, user: inv.meta.pgUser };
    for (;;) {
      const inRecovery = await psql(bin, conn, 'SELECT pg_is_in_recovery()', inv).catch((err: Error) => {
        throw failure(FailureTypes.StepCommandFailed, `The restored server on port ${port} stopped answering during recovery: ${err.message}\n${serverLog()}`, redactor);
      });
      if (inRecovery[0] === 'f') break;
      hooks.heartbeat({ stanza: input.stanza, phase: 'recovery' });
      await abortableSleep(500, inv.signal, 'waiting for the restored server to finish recovery');
    }

    const fmt = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    const [replay = '', commit = ''] = (
      await psql(
        bin,
        conn,
        `SELECT coalesce(${fmt('pg_last_xact_replay_timestamp()')}, '') || '|' || CASE WHEN current_setting('track_commit_timestamp') = 'on' THEN coalesce(${fmt('(pg_last_committed_xact()).timestamp')}, '') ELSE '' END`,
        inv,
      )
    )[0]!.split('|');
    const [lastTransactionAt, lastTransactionSource] = replay
      ? ([replay, 'replay'] as const)
      : commit
        ? ([commit, 'commit-timestamp'] as const)
        : ([backup.stoppedAt, 'backup-stop'] as const);
    const result: PgBackRestRestoreResult = {
      stanza: input.stanza,
      target: input.target,
      targetValue,
      backup: { ...backup, id: backup.label, createdAt: backup.stoppedAt },
      dataDir: input.dataDir,
      port,
      url: `postgres://${inv.meta.pgUser}@127.0.0.1:${port}/postgres`,
      lastTransactionAt,
      lastTransactionSource,
      rpo: {
        incidentAt: new Date(incidentMs).toISOString(),
        lastTransactionAt,
        achievedMs: Math.max(0, incidentMs - Date.parse(lastTransactionAt)),
      },
      preflight: { verify: input.verify, walFrom: backup.walStart, walTo },
      durationMs: Date.now() - started,
    };
    hooks.log.info('pgbackrest restore done', { stanza: input.stanza, port, lastTransactionAt, rpoMs: result.rpo.achievedMs });
    return result;
  } catch (err) {
    throw stepFailure(err, `pgBackRest restore of stanza "${input.stanza}" into ${input.dataDir}`, redactor);
  }
}
