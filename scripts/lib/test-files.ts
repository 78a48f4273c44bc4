// Which test files a run takes, and which services each of them gets. Node 20's `node --test` does
// not expand globs, so we find the test files ourselves.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const TEST_FILE_SUFFIX = '.test.ts';

/** Every `*.test.ts` under `dir` (recursively; node_modules and dot-folders skipped), as absolute paths. */
export function listTestFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
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
export function findTestFiles(root: string, paths: readonly string[] = []): string[] {
  const targets = paths.length > 0 ? paths : ['test'];
  const files = new Set<string>();
  for (const target of targets) {
    const abs = resolve(root, target);
    if (!existsSync(abs)) throw new Error(`no such test file or folder: ${target}`);
    if (statSync(abs).isDirectory()) for (const f of listTestFiles(abs)) files.add(f);
    else files.add(abs);
  }
  return [...files].map((f) => relative(root, f)).sort();
}

/** What `npm run test:cluster` (DR_TEST_TEMPORAL=cluster with no paths) runs on the real server. */
export const CLUSTER_PROFILE: readonly string[] = [
  'test/e2e/scripts/drill.test.ts',
  'test/workflow/workflows/durability.test.ts',
  'test/e2e/ui/journey.test.ts',
  'test/e2e/worker/cluster-scale.test.ts',
  'test/e2e/temporal/cluster-tls.test.ts',
];

/** The cluster profile's files, plus every chaos test (test files named *chaos*), relative to `root`. */
export function clusterProfileFiles(root: string): string[] {
  const chaos = listTestFiles(resolve(root, 'test')).filter((f) => /chaos[^/]*$/.test(f));
  return findTestFiles(root, [...CLUSTER_PROFILE, ...chaos.map((f) => relative(root, f))]);
}

/** The services `npm test` can start (or install, for Chromium) for the test files it runs. */
export const SERVICES = ['temporal', 'postgres', 's3', 'redis', 'kafka', 'chromium'] as const;
export type Service = (typeof SERVICES)[number];

/** The test tiers: test/<tier>/..., each a folder that mirrors src/. */
export const TIERS = ['unit', 'workflow', 'integration', 'e2e'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * The one place that decides what a test file gets: its tier's services. Unit tests get none (they
 * run in seconds, with no server); the other tiers get the Temporal dev server, PostgreSQL, S3 and
 * Redis, as before. A test that asks for a service its file did not get fails with a message naming
 * it (test/helpers/services.ts), never by reaching some other server.
 */
export const TIER_SERVICES: Readonly<Record<Tier, readonly Service[]>> = {
  unit: [],
  workflow: ['temporal', 'postgres', 's3', 'redis'],
  integration: ['temporal', 'postgres', 's3', 'redis'],
  e2e: ['temporal', 'postgres', 's3', 'redis'],
};
/** Kafka (a JVM, ~400 MB) starts only for test files (or folders) named kafka* or data-*, in any tier but unit. */
const NEEDS_KAFKA = /^test\/(?!unit\/)[^/]+\/(.+\/)?(kafka|data-)[^/]*(\/.+)?$/;
/** Debian's Chromium is installed (apt-get) only when a browser test (test/e2e/ui*) is selected. */
const NEEDS_BROWSER = /^test\/e2e\/(.+\/)?ui[^/]*(\/.+)?$/;

/** The tier of a test file (relative to the repository root); throws for a file outside every tier. */
export function tierOf(file: string): Tier {
  const tier = TIERS.find((t) => file.startsWith(`test/${t}/`));
  if (!tier) {
    throw new Error(`${file}: a test file belongs under one of test/${TIERS.join(', test/')} (its tier decides which services it gets)`);
  }
  return tier;
}

/** The services one test file gets (see TIER_SERVICES). */
export function servicesFor(file: string): Service[] {
  const services: Service[] = [...TIER_SERVICES[tierOf(file)]];
  if (NEEDS_KAFKA.test(file)) services.push('kafka');
  if (NEEDS_BROWSER.test(file)) services.push('chromium');
  return services;
}

/** The services a run of `files` needs: the union of theirs, in SERVICES order. */
export function servicesForFiles(files: readonly string[]): Service[] {
  const needed = new Set(files.flatMap(servicesFor));
  return SERVICES.filter((s) => needed.has(s));
}
