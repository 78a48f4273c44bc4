// `npm ci` when node_modules is missing or older than package-lock.json, so `npm start` / `npm test`
// work straight after a clone or a pull that changed dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, say } from './util.mjs';

/** Why node_modules must be (re)installed, or undefined when it is up to date. */
export function nodeModulesStaleReason(root = REPO_ROOT) {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(marker)) return 'node_modules has no .package-lock.json (not installed by npm 7+)';
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

export function ensureNodeModules(root = REPO_ROOT) {
  const reason = nodeModulesStaleReason(root);
  if (!reason) return;
  const hasLock = existsSync(join(root, 'package-lock.json'));
  const args = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  say(`${reason}: running npm ${args[0]} ...`);
  const started = Date.now();
  const r = spawnSync('npm', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm ${args[0]} failed (exit ${r.status ?? r.signal})`);
  say(`npm ${args[0]} done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
