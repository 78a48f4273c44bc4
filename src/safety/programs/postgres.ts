// PostgreSQL's client tools: psql by the SQL it sends, pg_dump/pg_restore by what they write or
// replace, and the backup tools (pgBackRest, WAL-G, Barman) by verb.
import { changesState, combine, destructive, readOnly, unproven, type Verdict } from '../../runbook/effect.js';
import { harmlessTarget, has, parseOptions, values, words } from '../options.js';
import type { ProgramClassifier } from '../types.js';
import { quote, verbChanges } from '../types.js';
import { classifyPsqlCommand, classifyPsqlScript } from './psql-script.js';

const PSQL_VALUES = { short: 'cdfhpUvoLPFRT', long: ['command', 'dbname', 'file', 'host', 'port', 'username', 'set', 'variable', 'output', 'log-file', 'pset', 'field-separator', 'record-separator', 'table-attr'] };

const psql: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), PSQL_VALUES);
  const shown = quote(c.display);
  const verdicts: Verdict[] = [];
  const out = values(p, '-o', '--output', '-L', '--log-file').filter((a) => !harmlessTarget(a.text));
  if (out.length > 0) verdicts.push(changesState(`${shown} writes the file ${out[0]!.text}`));
  const commands = values(p, '-c', '--command');
  const files = values(p, '-f', '--file');
  for (const sql of commands) verdicts.push(classifyPsqlCommand(sql.text, classify));
  for (const file of files) verdicts.push(unproven(`${shown}: the SQL in ${file.text} cannot be seen`));
  if (has(p, '-l', '--list', '-V', '--version', '-?', '--help')) verdicts.push(readOnly(`${shown} only lists or prints`));
  else if (commands.length === 0 && files.length === 0) {
    if (c.stdin?.kind === 'text') verdicts.push(classifyPsqlScript(c.stdin.text, classify));
    else if (c.stdin?.kind === 'file') verdicts.push(unproven(`${shown}: the SQL in ${c.stdin.path} cannot be seen`));
    else verdicts.push(unproven(`${shown}: the SQL comes from stdin, which cannot be seen`));
  }
  return combine(verdicts);
};

const pgDump: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'dfFhpUnNtTjZE', long: ['dbname', 'file', 'format', 'host', 'port', 'username', 'schema', 'exclude-schema', 'table', 'exclude-table', 'jobs', 'compress', 'encoding', 'role', 'section'] });
  const file = values(p, '-f', '--file').filter((a) => !harmlessTarget(a.text))[0];
  return file ? changesState(`${quote(c.display)} writes the dump to ${file.text}`) : readOnly(`${quote(c.display)} only reads (dump to stdout)`);
};

const pgRestore: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'dfFIjLnNPStThpU', long: ['dbname', 'file', 'format', 'index', 'jobs', 'use-list', 'schema', 'exclude-schema', 'function', 'superuser', 'table', 'trigger', 'host', 'port', 'username', 'role', 'section'] });
  const shown = quote(c.display);
  if (has(p, '-l', '--list')) return readOnly(`${shown} only lists the archive`);
  if (!has(p, '-d', '--dbname')) {
    const file = values(p, '-f', '--file').filter((a) => !harmlessTarget(a.text))[0];
    return file ? changesState(`${shown} writes a SQL script to ${file.text}`) : readOnly(`${shown} only prints a SQL script`);
  }
  if (has(p, '-c', '--clean')) return destructive(`${shown} drops database objects before recreating them (--clean)`);
  return changesState(`${shown} restores into a database`);
};

/** Backup tools: [read verbs, destroy verbs with reasons]; any other verb changes state. */
function byVerb(read: string[], destroy: Record<string, string>, short = '', long: string[] = []): ProgramClassifier {
  return (c) => {
    const p = parseOptions(c.args.slice(1), { short, long });
    const verb = words(p)[0] ?? '';
    const shown = quote(c.display);
    if (read.includes(verb)) return readOnly(`${shown} only reads`);
    if (destroy[verb]) return destructive(`${shown} ${destroy[verb]}`);
    if (verb === '') return unproven(`${shown}: no command`);
    return verbChanges(shown, verb, 'changes backups or the server');
  };
}

const pgbackrest: ProgramClassifier = (c, classify) => {
  const verb = words(parseOptions(c.args.slice(1), { long: ['stanza', 'type', 'set', 'repo', 'config', 'target', 'pg1-path', 'log-level-console'] }))[0];
  if (verb === 'restore' && c.args.some((a) => a.text === '--delta' || a.text === '--force')) return destructive(`${quote(c.display)} overwrites the data directory`);
  return byVerb(['info', 'check', 'verify', 'version', 'help'], { expire: 'deletes backups', 'stanza-delete': 'deletes a stanza and its backups' }, '', ['stanza', 'type', 'set', 'repo', 'config', 'target', 'pg1-path', 'log-level-console'])(c, classify);
};

export const POSTGRES: Record<string, ProgramClassifier> = {
  psql,
  pg_dump: pgDump,
  pg_dumpall: pgDump,
  pg_restore: pgRestore,
  pgbackrest,
  'wal-g': byVerb(['backup-list', 'wal-show', 'wal-verify', 'st', 'version'], { delete: 'deletes backups', 'wal-delete': 'deletes WAL' }),
  // Patroni and its DCS.
  patronictl: byVerb(['list', 'history', 'show-config', 'topology', 'version', 'dsn', 'query'], { remove: 'removes the cluster from the DCS', reinit: 'wipes a member and copies it again' }, 'cdk', ['config-file', 'dcs-url', 'dcs']),
  etcdctl: byVerb(['get', 'endpoint', 'version', 'watch', 'check', 'member', 'alarm', 'user', 'role'], { del: 'deletes keys', defrag: 'defragments the store (blocks writes)' }, 'w', ['endpoints', 'cacert', 'cert', 'key', 'user', 'write-out', 'dial-timeout', 'command-timeout']),
  barman: byVerb(['list-backups', 'list-backup', 'show-backup', 'show-backups', 'check', 'status', 'list-servers', 'show-server', 'show-servers', 'diagnose', 'list-files', 'verify-backup'], { delete: 'deletes a backup' }),
};
