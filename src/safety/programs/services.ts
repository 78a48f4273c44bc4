// Service managers by verb: systemctl, service, pg_ctl, pg_ctlcluster, supervisorctl.
import { destructive, readOnly, unproven } from '../../runbook/effect.js';
import { parseOptions, words } from '../options.js';
import type { Command, ProgramClassifier } from '../types.js';
import { quote, verbChanges } from '../types.js';

const SYSTEMCTL_READ = new Set(['status', 'is-active', 'is-enabled', 'is-failed', 'is-system-running', 'show', 'cat', 'list-units', 'list-unit-files', 'list-timers', 'list-sockets', 'list-dependencies', 'list-jobs', 'get-default', 'help', 'show-environment', 'list-machines']);
const SYSTEMCTL_DESTROY: Record<string, string> = {
  stop: 'stops services',
  disable: 'disables services',
  mask: 'masks services so they cannot start',
  kill: 'kills services’ processes',
  isolate: 'stops every unit not in the target',
  poweroff: 'powers the machine off',
  reboot: 'reboots the machine',
  halt: 'halts the machine',
};

function verdict(c: Command, verb: string, read: ReadonlySet<string>, destroy: Record<string, string>, what: string): ReturnType<ProgramClassifier> {
  const shown = quote(c.display);
  if (verb === '') return read.has('') ? readOnly(`${shown} only reads`) : unproven(`${shown}: no ${what} command`);
  if (read.has(verb)) return readOnly(`${shown} only reads`);
  if (destroy[verb]) return destructive(`${shown} ${destroy[verb]}`);
  return verbChanges(shown, verb, `changes ${what} state`);
}

const systemctl: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'HMtpPsn', long: ['host', 'machine', 'type', 'property', 'signal', 'lines', 'output', 'state', 'root'] });
  // A bare `systemctl` lists units.
  return verdict(c, words(p)[0] ?? '', new Set([...SYSTEMCTL_READ, '']), SYSTEMCTL_DESTROY, 'systemd');
};

/** `service NAME VERB` (SysV); `service --status-all`. */
const service: ProgramClassifier = (c) => {
  const w = c.args.slice(1).map((a) => a.text);
  if (w[0] === '--status-all') return readOnly(`${quote(c.display)} only reads`);
  return verdict(c, w[1] ?? '', new Set(['status']), { stop: 'stops the service', 'force-stop': 'stops the service' }, 'service');
};

const PG_CTL_DESTROY = { stop: 'stops the PostgreSQL server', kill: 'kills the PostgreSQL server' };

const pgCtl: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'DlmotsecN', long: ['pgdata', 'log', 'mode', 'options', 'timeout', 'signal'] });
  return verdict(c, words(p)[0] ?? '', new Set(['status']), PG_CTL_DESTROY, 'PostgreSQL server');
};

/** Debian's `pg_ctlcluster VERSION NAME VERB`. */
const pgCtlcluster: ProgramClassifier = (c) => {
  const w = words(parseOptions(c.args.slice(1), { short: 'mo', long: ['mode', 'options'] }));
  return verdict(c, w[2] ?? '', new Set(['status']), PG_CTL_DESTROY, 'PostgreSQL cluster');
};

const supervisorctl: ProgramClassifier = (c) => {
  const w = words(parseOptions(c.args.slice(1), { short: 'cslup', long: ['configuration', 'serverurl', 'username', 'password'] }));
  return verdict(c, w[0] ?? '', new Set(['status', 'avail', 'pid', 'version', 'help', 'tail', 'maintail']), { stop: 'stops programs', shutdown: 'shuts supervisord down', remove: 'removes programs' }, 'supervisor');
};

export const SERVICES: Record<string, ProgramClassifier> = { systemctl, service, pg_ctl: pgCtl, pg_ctlcluster: pgCtlcluster, supervisorctl };
