// Debian's Chromium for the browser tests (driven by playwright-core): installed with apt-get when
// missing and we are root, never a browser build downloaded by a test tool.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isRoot, say } from './util.js';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const APT_PACKAGE = 'chromium';

/**
 * Flags for headless Chromium on a machine with a closed network: without the background-networking
 * ones Chromium keeps opening connections that are refused (sign-in, updates, field trials).
 */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]);

/**
 * Returns the path of a Chromium binary: $DR_CHROMIUM_PATH when set, else Debian's, installing the
 * `chromium` package (apt-get, as root) the first time; otherwise says what to install.
 */
export function ensureChromium(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DR_CHROMIUM_PATH) {
    if (!existsSync(env.DR_CHROMIUM_PATH)) throw new Error(`DR_CHROMIUM_PATH=${env.DR_CHROMIUM_PATH} does not exist`);
    return env.DR_CHROMIUM_PATH;
  }
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const canApt = isRoot() && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canApt) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}; the browser tests need it. Install it, e.g. ` +
        `\`sudo apt-get install -y ${APT_PACKAGE}\` (Debian/Ubuntu), or set DR_CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  const started = Date.now();
  say(`Chromium not found: installing Debian's ${APT_PACKAGE} with apt-get (one time, ~100 MB) ...`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', APT_PACKAGE]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${APT_PACKAGE} was installed but ${CHROMIUM_PATH} does not exist`);
  say(`Chromium installed in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return CHROMIUM_PATH;
}
