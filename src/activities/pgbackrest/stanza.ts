// pgbackrest.stanza / backup / info / check: configure a database's stanza (config files, archiving
// on via ALTER SYSTEM, stanza-create), take backups, and read the repository's state as data.
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGBACKREST_BACKUP_TYPES } from '../../runbook/model.js';
import { activityHooks, type ActivityOptions } from '../context.js';
import { Redactor } from '../secrets.js';
import { archiveCommand, configText, readStanzaMeta, secretsText, stanzaPaths, writeStanzaFiles, type StanzaMeta } from './config.js';
import { classify, pgBinDir, pgbackrest, psql, stepFailure, type Invocation, type PgBackRestDeps } from './command.js';
import { parseInfo, type PgBackRestInfo } from './info.js';
import { ownerOf } from './run.js';
import type {
  PgBackRestBackupInput,
  PgBackRestBackupResult,
  PgBackRestCheckInput,
  PgBackRestCheckResult,
  PgBackRestInfoInput,
  PgBackRestInfoResult,
  PgBackRestStanzaInput,
  PgBackRestStanzaResult,
} from './types.js';
import { failure, FailureTypes } from '../errors.js';

/** archive_timeout set where it was 0 (never): the RPO of a quiet database is then about a minute. */
export const ARCHIVE_TIMEOUT = '60s';

export type PgBackRestActivityDeps = PgBackRestDeps & ActivityOptions;

/** An invocation for a stanza configured on this worker: run as the owner of its folder (the database's user). */
export function invocationFor(stanza: string, deps: PgBackRestActivityDeps, redactor: Redactor): Invocation & { meta: StanzaMeta } {
  const hooks = activityHooks(deps);
  const paths = stanzaPaths(deps.baseDir, stanza);
  const meta = readStanzaMeta(paths, stanza);
  return {
    paths,
    stanza,
    meta,
    runAs: ownerOf(paths.dir),
    redactor,
    signal: hooks.signal,
    heartbeat: () => hooks.heartbeat({ stanza }),
    s3Endpoint: meta.repo.endpoint,
  };
}

export async function pgbackrestStanza(input: PgBackRestStanzaInput, deps: PgBackRestActivityDeps): Promise<PgBackRestStanzaResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  try {
    const s3 = input.repo.s3;
    if (s3 && !['path', 'host'].includes(s3.uriStyle)) {
      throw failure(FailureTypes.StepCommandFailed, `Expected repo.s3.uriStyle to be path or host, got ${JSON.stringify(s3.uriStyle)}`, redactor);
    }
    const secrets = {
      s3Key: s3 ? redactor.resolve(s3.key, hooks.env) : undefined,
      s3Secret: s3 ? redactor.resolve(s3.secret, hooks.env) : undefined,
      cipherPass: input.cipherPass === undefined ? undefined : redactor.resolve(input.cipherPass, hooks.env),
    };
    if (!existsSync(join(input.pgPath, 'PG_VERSION'))) {
      throw failure(FailureTypes.StepCommandFailed, `Expected a PostgreSQL data directory at pgPath ${input.pgPath}, found no PG_VERSION there`, redactor);
    }
    const version = readFileSync(join(input.pgPath, 'PG_VERSION'), 'utf8').trim();
    const runAs = ownerOf(input.pgPath);
    const paths = stanzaPaths(deps.baseDir, input.stanza);
    const { kind: _k, archive: _a, cipherPass: _c, runId: _r, stepId: _s, timeoutMs: _t, ...settings } = input as PgBackRestStanzaInput & { kind?: string };
    const meta: StanzaMeta = {
      stanza: input.stanza,
      pgPath: input.pgPath,
      pgPort: input.pgPort,
      pgSocketPath: input.pgSocketPath,
      pgUser: input.pgUser,
      repo: s3 ? { type: 's3', path: input.repo.path, bucket: s3.bucket, endpoint: s3.endpoint } : { type: 'posix', path: input.repo.path },
      encrypted: secrets.cipherPass !== undefined,
    };
    writeStanzaFiles(paths, configText({ ...settings, encrypted: meta.encrypted }, paths), secretsText(secrets), meta, runAs);
    // A local repository folder belongs to the database's user: archive-push (run by the server) writes there.
    if (!s3 && !existsSync(input.repo.path)) {
      mkdirSync(input.repo.path, { recursive: true, mode: 0o750 });
      if (runAs.uid !== undefined) chownSync(input.repo.path, runAs.uid, runAs.gid!);
    }
    const inv: Invocation = {
      paths,
      stanza: input.stanza,
      runAs,
      redactor,
      signal: hooks.signal,
      heartbeat: () => hooks.heartbeat({ stanza: input.stanza }),
      s3Endpoint: s3?.endpoint,
    };

    const changed: string[] = [];
    let restartRequired = false;
    let command: string | undefined;
    if (input.archive) {
      const bin = pgBinDir(deps.pgBinDir, version);
      const conn = { host: input.pgSocketPath, port: Number(input.pgPort), user: input.pgUser };
      const show = async (name: string) => (await psql(bin, conn, `SHOW ${name}`, inv))[0] ?? '';
      const set = async (name: string, value: string) => {
        await psql(bin, conn, `ALTER SYSTEM SET ${name} = '${value.replace(/'/g, "''")}'`, inv);
        changed.push(`${name} = ${value}`);
      };
      command = archiveCommand(deps.bin ?? 'pgbackrest', paths, input.stanza);
      if ((await show('wal_level')) === 'minimal') {
        await set('wal_level', 'replica');
        restartRequired = true;
      }
      if ((await show('archive_mode')) === 'off') {
        await set('archive_mode', 'on');
        restartRequired = true;
      }
      if ((await show('archive_command')) !== command) await set('archive_command', command);
      // A quiet database fills a 16 MB segment slowly: without a timeout its last writes wait, unarchived, for hours.
      if ((await show('archive_timeout')) === '0') await set('archive_timeout', ARCHIVE_TIMEOUT);
      await psql(bin, conn, 'SELECT pg_reload_conf()', inv);
    }
    // stanza-create is idempotent: it checks an existing stanza matches this database and leaves it.
    await pgbackrest(deps, inv, 'stanza-create');
    hooks.log.info('pgbackrest stanza ready', { stanza: input.stanza, restartRequired });
    return {
      stanza: input.stanza,
      configFile: paths.config,
      archiveCommand: command,
      restartRequired,
      changed,
      repo: s3 ? `s3://${s3.bucket}${input.repo.path}` : input.repo.path,
      encrypted: meta.encrypted,
    };
  } catch (err) {
    throw stepFailure(err, `Configuring pgBackRest stanza "${input.stanza}"`, redactor);
  }
}

/** The stanza's info, with an unreachable or undecryptable repository as a typed failure. */
export async function readInfo(deps: PgBackRestDeps, inv: Invocation): Promise<PgBackRestInfo> {
  const result = await pgbackrest(deps, inv, 'info', ['--output=json', '--log-level-console=off', '--log-level-stderr=warn']);
  const info = parseInfo(result.stdout, inv.stanza);
  // pgBackRest reports a repository it cannot read as a status, with exit code 0.
  const bad = info.repoStatus.find((r) => r.code !== 0 && r.code !== 2) ?? (info.status.code === 99 ? info.status : undefined);
  if (bad) {
    const text = `${bad.message}${result.stderr ? `\n${result.stderr}` : ''}`;
    // Decrypting with the wrong passphrase yields garbage that fails to parse, not a cipher error.
    if (info.cipher !== 'none' && /\[(FormatError|CryptoError)\] unable to load info file/.test(text)) {
      throw failure(
        FailureTypes.RepositoryDecryptFailed,
        `The pgBackRest repository of stanza "${inv.stanza}" cannot be decrypted: is the cipher passphrase right? ${text}`,
        inv.redactor,
      );
    }
    throw failure(classify(text), `The pgBackRest repository of stanza "${inv.stanza}" cannot be read: ${text}`, inv.redactor);
  }
  return info;
}

export async function pgbackrestInfo(input: PgBackRestInfoInput, deps: PgBackRestActivityDeps): Promise<PgBackRestInfoResult> {
  const redactor = new Redactor();
  try {
    return await readInfo(deps, invocationFor(input.stanza, deps, redactor));
  } catch (err) {
    throw stepFailure(err, `Reading pgBackRest info of stanza "${input.stanza}"`, redactor);
  }
}

export async function pgbackrestBackup(input: PgBackRestBackupInput, deps: PgBackRestActivityDeps): Promise<PgBackRestBackupResult> {
  const redactor = new Redactor();
  const started = Date.now();
  try {
    if (!(PGBACKREST_BACKUP_TYPES as readonly string[]).includes(input.type)) {
      throw failure(FailureTypes.StepCommandFailed, `Expected type to be one of ${PGBACKREST_BACKUP_TYPES.join(', ')}, got ${JSON.stringify(input.type)}`, redactor);
    }
    const inv = invocationFor(input.stanza, deps, redactor);
    const before = new Set((await readInfo(deps, inv)).backups.map((b) => b.label));
    await pgbackrest(deps, inv, 'backup', [`--type=${input.type}`]);
    const after = await readInfo(deps, inv);
    const made = after.backups.filter((b) => !before.has(b.label)).at(-1);
    if (!made) throw new Error('pgbackrest backup succeeded but info lists no new backup');
    activityHooks(deps).log.info('pgbackrest backup done', { stanza: input.stanza, label: made.label, type: made.type });
    return { stanza: input.stanza, backup: made, durationMs: Date.now() - started };
  } catch (err) {
    throw stepFailure(err, `pgBackRest ${input.type} backup of stanza "${input.stanza}"`, redactor);
  }
}

export async function pgbackrestCheck(input: PgBackRestCheckInput, deps: PgBackRestActivityDeps): Promise<PgBackRestCheckResult> {
  const redactor = new Redactor();
  const started = Date.now();
  try {
    const inv = invocationFor(input.stanza, deps, redactor);
    // check forces a WAL switch and waits for that segment to reach the repository.
    await pgbackrest(deps, inv, 'check');
    const info = await readInfo(deps, inv);
    return { stanza: input.stanza, ok: true, archive: info.archive, durationMs: Date.now() - started };
  } catch (err) {
    throw stepFailure(err, `Checking pgBackRest stanza "${input.stanza}"`, redactor);
  }
}
