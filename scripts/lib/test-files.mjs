// Node 20's `node --test` does not expand globs, so we find the test files ourselves.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const TEST_FILE_SUFFIX = '.test.ts';

/** Every `*.test.ts` under `dir` (recursively; node_modules and dot-folders skipped), as absolute paths. */
export function listTestFiles(dir) {
  const found = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(TEST_FILE_SUFFIX)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

/**
 * The test files to run, relative to `root`, sorted and without duplicates: all of `root/test` when
 * `paths` is empty, else those under each given folder, plus each given file as is.
 * Throws when a given path does not exist.
 */
export function findTestFiles(root, paths = []) {
  const targets = paths.length > 0 ? paths : ['test'];
  const files = new Set();
  for (const target of targets) {
    const abs = resolve(root, target);
    if (!existsSync(abs)) throw new Error(`no such test file or folder: ${target}`);
    if (statSync(abs).isDirectory()) for (const f of listTestFiles(abs)) files.add(f);
    else files.add(abs);
  }
  return [...files].map((f) => relative(root, f)).sort();
}

/** What `npm run test:cluster` (DR_TEST_TEMPORAL=cluster with no paths) runs on the real server. */
export const CLUSTER_PROFILE = [
  'test/e2e/drill.test.ts',
  'test/workflow/durability.test.ts',
  'test/e2e/ui.test.ts',
  'test/e2e/cluster-scale.test.ts',
  'test/e2e/cluster-tls.test.ts',
];

/** The cluster profile's files, plus every chaos test (test files named *chaos*), relative to `root`. */
export function clusterProfileFiles(root) {
  const chaos = listTestFiles(resolve(root, 'test')).filter((f) => /chaos[^/]*$/.test(f));
  return findTestFiles(root, [...CLUSTER_PROFILE, ...chaos.map((f) => relative(root, f))]);
}
