#!/usr/bin/env node
// @ts-check
// `npm run build` (also run by `npm ci` / `npm install` through `prepare`): compiles src/**/*.ts to
// JavaScript in dist/src/, one file per source file (so `dr` loads only the modules a command needs
// and `import.meta.url` keeps its meaning), and writes dist/src/.sources.json: every source's size,
// mtime and sha1. bin/dr.js compares that stamp with src/ on every call and rebuilds when a source
// changed, so an edit or a `git pull` never runs old code. esbuild strips types only: `npx tsc
// --noEmit` stays the type check.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE_DIR = join(ROOT, 'src');
export const OUT_DIR = join(ROOT, 'dist', 'src');
export const STAMP = join(OUT_DIR, '.sources.json');

/**
 * Every TypeScript source under src/, as paths relative to the repository root, sorted.
 * @returns {string[]}
 */
export function listSources(root = ROOT) {
  return readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join('src', f))
    .sort();
}

/** @param {string} text */
export function sha1(text) {
  return createHash('sha1').update(text).digest('hex');
}

/** Writes a file whole or not at all, so a `dr` started during a build never reads half of one. */
/**
 * @param {string} path
 * @param {string} text
 */
function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Compiles every source to dist/src and writes the stamp last; returns how many files and how long. */
export async function buildCli(root = ROOT) {
  const started = performance.now();
  const { transform } = await import('esbuild');
  /** @type {Record<string, { size: number; mtimeMs: number; sha1: string }>} */
  const sources = {};
  const files = listSources(root);
  await Promise.all(
    files.map(async (file) => {
      const path = join(root, file);
      const before = statSync(path);
      const text = readFileSync(path, 'utf8');
      const out = await transform(text, {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcefile: file,
      });
      writeAtomic(join(root, 'dist', file.replace(/\.ts$/, '.js')), out.code);
      sources[file] = { size: before.size, mtimeMs: before.mtimeMs, sha1: sha1(text) };
    }),
  );
  writeAtomic(join(root, 'dist', 'src', '.sources.json'), `${JSON.stringify({ sources }, null, 1)}\n`);
  return { files: files.length, ms: Math.round(performance.now() - started) };
}

/**
 * Why dist/src does not match src/ (a source added, removed or changed since the build), or undefined
 * when it does. Cheap on every `dr` call: a stat per source, a hash only where size or mtime moved
 * (a checkout that rewrote a file with the same text is not a change).
 */
export function staleReason(root = ROOT) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist', 'src', '.sources.json'), 'utf8')).sources;
  } catch {
    return 'dist/src has not been built';
  }
  const files = listSources(root);
  const built = Object.keys(stamp);
  if (files.length !== built.length || files.some((f) => !(f in stamp))) {
    const added = files.find((f) => !(f in stamp));
    return added ? `${added} is new since the build` : `${built.find((f) => !files.includes(f))} was removed since the build`;
  }
  for (const file of files) {
    const was = stamp[file];
    const now = statSync(join(root, file));
    if (now.size === was.size && now.mtimeMs === was.mtimeMs) continue;
    if (sha1(readFileSync(join(root, file), 'utf8')) !== was.sha1) return `${file} changed since the build`;
  }
  return undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npm ci` in a Docker layer that has package.json but not yet the sources: nothing to build.
  if (!existsSync(SOURCE_DIR)) {
    console.log('build-cli: no src/ here yet; nothing to build');
  } else {
    const { files, ms } = await buildCli();
    console.log(`build-cli: ${files} files compiled to dist/src in ${ms} ms`);
  }
}
