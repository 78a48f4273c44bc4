// Building a Go program once per machine with `go install` from the Go module proxy (versitygw, the
// Temporal server and its SQL tool, the Temporal UI server). The binaries land in a temporary GOBIN
// and are renamed into place only when all of them built, so a half-finished build is never used.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { say } from './util.js';

/** The `go` command to use ($GO, then PATH, then the usual install folders), or undefined. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const candidate of [env.GO ?? 'go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * `go install <package>@<version>` for each entry of `binaries` ({ target path: package }), all from
 * one module version; `toolchain` pins GOTOOLCHAIN (Go downloads it through the proxy when the local
 * Go is another version). Throws with `hint` when Go is missing or the build fails.
 */
export function goInstall({
  what,
  version,
  binaries,
  toolchain,
  hint,
  env = process.env,
}: {
  what: string;
  version: string;
  /** Target path → Go package, all built at `version`. */
  binaries: Record<string, string>;
  toolchain?: string;
  hint: string;
  env?: NodeJS.ProcessEnv;
}): string[] {
  const go = findGo(env);
  if (!go) {
    throw new Error(`${what} is built with Go, which was not found. Install Go 1.24+ (e.g. \`apt-get install -y golang-go\` or from go.dev); ${hint}`);
  }
  const targets = Object.keys(binaries);
  if (targets.length === 0) throw new Error(`goInstall(${what}): no binaries to build`);
  const dir = dirname(targets[0]!);
  mkdirSync(dir, { recursive: true });
  const gobin = mkdtempSync(join(dir, '.build-'));
  const started = Date.now();
  say(`Building ${what} ${version} with go install (one time, a few minutes) into ${dir} ...`);
  try {
    for (const [target, pkg] of Object.entries(binaries)) {
      const r = spawnSync(go, ['install', `${pkg}@${version}`], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...env,
          GOBIN: gobin,
          GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim(),
          ...(toolchain ? { GOTOOLCHAIN: toolchain } : {}),
        },
      });
      const built = join(gobin, pkg.split('/').at(-1)!);
      if (r.status !== 0 || !existsSync(built)) {
        throw new Error(`go install ${pkg}@${version} failed (exit ${r.status ?? r.signal}); ${hint}`);
      }
      renameSync(built, join(gobin, `.${target.split('/').at(-1)}`));
    }
    // Every binary built: move them into place (a rename each: a concurrent reader never sees half a file).
    for (const target of targets) renameSync(join(gobin, `.${target.split('/').at(-1)}`), target);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  say(`${what} ${version} built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return targets;
}
