// A step's processes die with the worker, even when the worker is SIGKILLed: each command runs under
// coreutils `timeout` (the leader of the step's process group; on SIGTERM it signals the whole group
// and SIGKILLs what is left after the grace), started through util-linux `setpriv --pdeathsig`, so
// the kernel sends that SIGTERM the moment the worker dies. Both are part of every Debian base system.
// A tool whose output Node reads from a pipe can also run under coreutils `stdbuf -o` (it execs the
// tool, so no extra process): pg_dump writes its archive to stdout 4 KB at a time, and reading
// 10,000 small chunks of a 205 MB archive cost Node twice the CPU of 3,500 full ones.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

let found: boolean | undefined;
let stdbufFound: boolean | undefined;

/** True when setpriv and GNU timeout are on PATH (Linux); elsewhere commands run unsupervised. */
export function supervisorAvailable(path = process.env.PATH ?? ''): boolean {
  found ??= process.platform === 'linux' && ['setpriv', 'timeout'].every((tool) => onPath(tool, path));
  return found;
}

export interface SuperviseOptions {
  /** Bytes of stdio buffer for the command's stdout (`stdbuf -o`), where stdbuf is on PATH. */
  stdoutBuffer?: number;
}

/** The argv that runs `file args` under the supervisor; unchanged where it is not available. */
export function supervised(file: string, args: string[], graceMs: number, options: SuperviseOptions = {}): { file: string; args: string[]; wrapped: boolean } {
  if (!supervisorAvailable()) return { file, args, wrapped: false };
  const grace = `${Math.max(1, Math.ceil(graceMs / 1000))}s`;
  stdbufFound ??= onPath('stdbuf', process.env.PATH ?? '');
  const buffered = options.stdoutBuffer && stdbufFound ? ['stdbuf', '-o', String(options.stdoutBuffer)] : [];
  // Duration 0 disables timeout's own timer: step timeouts stay with the activity and the workflow.
  return { file: 'setpriv', args: ['--pdeathsig', 'SIGTERM', '--', 'timeout', '--kill-after', grace, '0', ...buffered, file, ...args], wrapped: true };
}

/**
 * What the supervisor says when it could not start the command (`timeout` exits 127 or 126):
 * the same ENOENT / EACCES an unsupervised spawn reports, so messages do not depend on the wrapper.
 */
export function supervisorSpawnError(exitCode: number | null | undefined, stderr: string): 'ENOENT' | 'EACCES' | undefined {
  if (exitCode !== 127 && exitCode !== 126) return undefined;
  if (!/^(timeout|stdbuf): failed to run command/m.test(stderr)) return undefined;
  return exitCode === 127 ? 'ENOENT' : 'EACCES';
}

function onPath(tool: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
