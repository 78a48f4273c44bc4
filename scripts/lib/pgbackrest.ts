// pgBackRest (continuous WAL archiving, full/diff/incr backups, point-in-time restore): Debian's
// package, installed once with apt-get like PostgreSQL and Redis, then found on PATH.
import { spawnSync } from 'node:child_process';
import { isRoot, say } from './util.js';

const APT_PACKAGE = 'pgbackrest';

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Returns the path of `pgbackrest`. Installs Debian's pgbackrest package when it is missing and we
 * are root; otherwise says what to install.
 */
export function ensurePgBackRest(): string {
  const found = which('pgbackrest');
  if (found) return found;
  const canApt = isRoot() && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canApt) {
    throw new Error(
      `pgbackrest was not found on PATH. Install it, e.g. \`sudo apt-get install -y ${APT_PACKAGE}\` (Debian/Ubuntu), then run this again.`,
    );
  }
  say(`pgbackrest not found: installing ${APT_PACKAGE} with apt-get (one time) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', APT_PACKAGE]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  const installed = which('pgbackrest');
  if (!installed) throw new Error(`${APT_PACKAGE} was installed but pgbackrest is not on PATH`);
  return installed;
}

/** `pgBackRest 2.45`: the installed version, or undefined when it does not run. */
export function pgBackRestVersion(bin = 'pgbackrest'): string | undefined {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
