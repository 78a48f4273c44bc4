// A stanza's pgBackRest configuration, generated into a folder the worker owns
// (<DR_PGBACKREST_DIR>/<stanza>/): pgbackrest.conf without secrets, conf.d/secrets.conf (mode 0600)
// with the repository keys and cipher passphrase resolved from their references (the server's
// archive_command needs them too, so they must be on disk for it; never in argv or history), and
// stanza.json with what the other actions need to know about the database.
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PgBackRestRepo, PgBackRestStanzaAction } from '../../runbook/model.js';
import type { RunAs } from './run.js';
import { StanzaNotConfiguredError } from '../errors.js';

/** Where one stanza's files live. */
export interface StanzaPaths {
  dir: string;
  config: string;
  includeDir: string;
  secrets: string;
  meta: string;
  log: string;
}

export function stanzaPaths(baseDir: string, stanza: string): StanzaPaths {
  const dir = join(baseDir, stanza);
  return {
    dir,
    config: join(dir, 'pgbackrest.conf'),
    includeDir: join(dir, 'conf.d'),
    secrets: join(dir, 'conf.d', 'secrets.conf'),
    meta: join(dir, 'stanza.json'),
    log: join(dir, 'log'),
  };
}

/** What stanza.json records: the database side of the stanza (no secrets). */
export interface StanzaMeta {
  stanza: string;
  pgPath: string;
  pgPort: number | string;
  pgSocketPath: string;
  pgUser: string;
  repo: { type: 'posix' | 's3'; path: string; bucket?: string; endpoint?: string };
  encrypted: boolean;
}

export type StanzaSettings = Omit<PgBackRestStanzaAction, 'kind' | 'archive' | 'cipherPass'> & { encrypted: boolean };

/** `host:port` → [host, port]; the port defaults to HTTPS's. */
export function splitEndpoint(endpoint: string): [string, number] {
  const m = /^(.*?)(?::(\d+))?$/.exec(endpoint)!;
  return [m[1]!, m[2] ? Number(m[2]) : 443];
}

/** The pgbackrest.conf text (no secrets). Exported for tests. */
export function configText(s: StanzaSettings, paths: StanzaPaths): string {
  const repo = repoLines(s.repo);
  const lines = [
    '# Written by easymo-dr (pgbackrest.stanza) at every run of that step: edits here are overwritten.',
    '# Secrets are in conf.d/secrets.conf (mode 0600).',
    '[global]',
    ...repo,
    `repo1-retention-full=${s.retentionFull}`,
    ...(s.encrypted ? ['repo1-cipher-type=aes-256-cbc'] : []),
    `compress-type=${s.compress}`,
    `process-max=${s.processMax}`,
    // Backups start with an immediate checkpoint: a scheduled backup should not wait up to checkpoint_timeout.
    'start-fast=y',
    `log-path=${paths.log}`,
    `lock-path=${join(paths.dir, 'lock')}`,
    `spool-path=${join(paths.dir, 'spool')}`,
    'log-level-file=info',
    '',
    `[${s.stanza}]`,
    `pg1-path=${s.pgPath}`,
    `pg1-port=${s.pgPort}`,
    `pg1-socket-path=${s.pgSocketPath}`,
    `pg1-user=${s.pgUser}`,
    '',
  ];
  return lines.join('\n');
}

function repoLines(repo: PgBackRestRepo): string[] {
  if (!repo.s3) return ['repo1-type=posix', `repo1-path=${repo.path}`];
  const [host, port] = splitEndpoint(repo.s3.endpoint);
  return [
    'repo1-type=s3',
    `repo1-path=${repo.path}`,
    `repo1-s3-bucket=${repo.s3.bucket}`,
    `repo1-s3-endpoint=${host}`,
    `repo1-storage-port=${port}`,
    `repo1-s3-region=${repo.s3.region}`,
    `repo1-s3-uri-style=${repo.s3.uriStyle}`,
    ...(repo.s3.caFile ? [`repo1-storage-ca-file=${repo.s3.caFile}`] : []),
  ];
}

/** The secrets.conf text from resolved values. */
export function secretsText(secrets: { s3Key?: string; s3Secret?: string; cipherPass?: string }): string {
  const lines = ['# Written by easymo-dr from secret references; readable by the database user only.', '[global]'];
  if (secrets.s3Key !== undefined) lines.push(`repo1-s3-key=${secrets.s3Key}`);
  if (secrets.s3Secret !== undefined) lines.push(`repo1-s3-key-secret=${secrets.s3Secret}`);
  if (secrets.cipherPass !== undefined) lines.push(`repo1-cipher-pass=${secrets.cipherPass}`);
  return `${lines.join('\n')}\n`;
}

/** Writes the stanza's files, owned by `runAs` (the database's user) so archive-push can read them. */
export function writeStanzaFiles(paths: StanzaPaths, config: string, secrets: string, meta: StanzaMeta, runAs: RunAs): void {
  // The base folder is reached by the database's user (archive_command reads its stanza's config).
  mkdirSync(join(paths.dir, '..'), { recursive: true, mode: 0o755 });
  for (const dir of [paths.dir, paths.includeDir, paths.log, join(paths.dir, 'lock'), join(paths.dir, 'spool')]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    own(dir, runAs);
  }
  const write = (file: string, text: string, mode: number) => {
    writeFileSync(file, text, { mode });
    own(file, runAs);
  };
  write(paths.config, config, 0o640);
  write(paths.secrets, secrets, 0o600);
  write(paths.meta, `${JSON.stringify(meta, null, 2)}\n`, 0o640);
}

function own(path: string, runAs: RunAs): void {
  if (runAs.uid !== undefined) chownSync(path, runAs.uid, runAs.gid ?? runAs.uid);
}

/** Reads stanza.json; a missing one means pgbackrest.stanza never ran for this stanza on this worker. */
export function readStanzaMeta(paths: StanzaPaths, stanza: string): StanzaMeta {
  if (!existsSync(paths.meta)) {
    throw new StanzaNotConfiguredError(stanza, paths.dir);
  }
  return JSON.parse(readFileSync(paths.meta, 'utf8')) as StanzaMeta;
}

/** The options every pgbackrest command gets: our config, our include folder, the stanza. */
export function baseArgs(paths: StanzaPaths, stanza: string): string[] {
  return [`--config=${paths.config}`, `--config-include-path=${paths.includeDir}`, `--stanza=${stanza}`];
}

/** archive_command for the server: shell-quoted, as PostgreSQL runs it through sh. */
export function archiveCommand(bin: string, paths: StanzaPaths, stanza: string): string {
  const q = (s: string) => {
    if (s.includes("'")) throw new Error(`Expected a path without a single quote for archive_command, got ${JSON.stringify(s)}`);
    return /^[A-Za-z0-9_./=-]+$/.test(s) ? s : `'${s}'`;
  };
  return [bin, ...baseArgs(paths, stanza), 'archive-push', '%p'].map((a) => (a === '%p' ? a : q(a))).join(' ');
}
