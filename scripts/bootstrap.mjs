#!/usr/bin/env node
// @ts-check
// The one script that runs before node_modules exists, and so stays JavaScript: `npm start` and
// `npm test` run `node scripts/bootstrap.mjs <script.ts> [args]`, which installs the dependencies when
// they are missing or older than package-lock.json (`npm ci`: straight after a clone, or a pull that
// changed them), then runs the TypeScript script through tsx in this same process, so Ctrl-C and
// the exit code behave as if the script had been started directly.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Why node_modules must be (re)installed, or undefined when it is up to date.
 * @param {string} [root]
 * @returns {string | undefined}
 */
export function nodeModulesStaleReason(root = REPO_ROOT) {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(marker)) return 'node_modules has no .package-lock.json (not installed by npm 7+)';
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

/** @param {string} [root] */
export function ensureNodeModules(root = REPO_ROOT) {
  const reason = nodeModulesStaleReason(root);
  if (!reason) return;
  const hasLock = existsSync(join(root, 'package-lock.json'));
  const args = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  process.stdout.write(`[easymo-dr] ${reason}: running npm ${args[0]} ...\n`);
  const started = Date.now();
  const r = spawnSync('npm', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm ${args[0]} failed (exit ${r.status ?? r.signal})`);
  process.stdout.write(`[easymo-dr] npm ${args[0]} done in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

async function main() {
  const [script, ...args] = process.argv.slice(2);
  if (!script) throw new Error('usage: node scripts/bootstrap.mjs <script.ts> [args...]');
  ensureNodeModules();
  const { register } = await import('tsx/esm/api');
  register();
  const path = resolve(REPO_ROOT, script);
  // The script reads its arguments from process.argv as if it had been run as `node <script> args`.
  process.argv = [process.argv[0] ?? process.execPath, path, ...args];
  await import(pathToFileURL(path).href);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`[easymo-dr] ✖ ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
