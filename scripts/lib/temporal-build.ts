// The real Temporal server (what production runs, unlike the CLI's dev server), its SQL schema tool
// and the Temporal UI server, built once per machine with `go install` from the Go module proxy into
// ${XDG_CACHE_HOME:-~/.cache}/easymo-dr/. The schema files and the UI's configuration templates ship
// inside the modules, so they are copied next to the binaries: the cache does not depend on Go's.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findGo, goInstall } from './go.js';
import { cacheDir } from './util.js';

/** The pinned Temporal server version (the docker-compose.yml images carry the same; a test checks). */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** The pinned Temporal UI server version: the UI the Temporal CLI 1.9.1 embeds, and the temporalio/ui image tag. */
export const TEMPORAL_UI_VERSION = '2.54.1';
/** The Go toolchain both are built with (Go downloads it through the module proxy when needed). */
export const GO_TOOLCHAIN = 'go1.27.3';

const SERVER_MODULE = 'go.temporal.io/server';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';
const HINT = 'check that the Go module proxy is reachable (GOPROXY), then run this again.';

/** Where the server build lives: <cache>/temporal-server-<version>/{temporal-server,temporal-sql-tool,schema/}. */
export function temporalServerDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/** Where the UI server build lives: <cache>/temporal-ui-<version>/{ui-server,config/}. */
export function temporalUiDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `temporal-ui-${TEMPORAL_UI_VERSION}`);
}

/** The folder of `module@version` in Go's module cache (downloaded by the build just before). */
function moduleDir(module: string, version: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(findGo(env) ?? 'go', ['mod', 'download', '-json', `${module}@${version}`], {
    encoding: 'utf8',
    env: { ...env, GOTOOLCHAIN: GO_TOOLCHAIN, GOFLAGS: '-mod=mod' },
  });
  const dir = r.status === 0 ? (JSON.parse(r.stdout) as { Dir?: string }).Dir : undefined;
  if (!dir || !existsSync(dir)) throw new Error(`go mod download ${module}@${version} failed: ${r.stderr || r.stdout}`);
  return dir;
}

/** Copies a folder tree (module cache files are read-only; the copies' folders are not). */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(join(from, entry.name), join(to, entry.name));
    else copyFileSync(join(from, entry.name), join(to, entry.name));
  }
}

/**
 * The Temporal server build: { server, sqlTool, schemaDir } (schemaDir holds postgresql/v12/...,
 * laid out as in the temporalio/admin-tools image's /etc/temporal/schema). Built the first time.
 */
export function ensureTemporalServer(env: NodeJS.ProcessEnv = process.env): { server: string; sqlTool: string; schemaDir: string } {
  const dir = temporalServerDir(env);
  const build = { server: join(dir, 'temporal-server'), sqlTool: join(dir, 'temporal-sql-tool'), schemaDir: join(dir, 'schema') };
  if (existsSync(build.server) && existsSync(build.sqlTool) && existsSync(join(build.schemaDir, 'postgresql', 'v12'))) return build;
  const version = `v${TEMPORAL_SERVER_VERSION}`;
  goInstall({
    what: 'the Temporal server and SQL tool',
    version,
    binaries: { [build.server]: `${SERVER_MODULE}/cmd/server`, [build.sqlTool]: `${SERVER_MODULE}/cmd/tools/sql` },
    toolchain: GO_TOOLCHAIN,
    hint: HINT,
    env,
  });
  const staging = `${build.schemaDir}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  copyTree(join(moduleDir(SERVER_MODULE, version, env), 'schema', 'postgresql'), join(staging, 'postgresql'));
  rmSync(build.schemaDir, { recursive: true, force: true });
  renameSync(staging, build.schemaDir);
  return build;
}

/**
 * The Temporal UI server build: { uiServer, root } where root/config holds the image's own template
 * (docker.yaml, configured by TEMPORAL_* variables as in the temporalio/ui image) and a base.yaml
 * that binds it to 127.0.0.1. Built the first time.
 */
export function ensureTemporalUi(env: NodeJS.ProcessEnv = process.env): { uiServer: string; root: string } {
  const root = temporalUiDir(env);
  const build = { uiServer: join(root, 'ui-server'), root };
  const config = join(root, 'config');
  if (existsSync(build.uiServer) && existsSync(join(config, 'docker.yaml'))) return build;
  const version = `v${TEMPORAL_UI_VERSION}`;
  goInstall({ what: 'the Temporal UI server', version, binaries: { [build.uiServer]: `${UI_MODULE}/cmd/server` }, toolchain: GO_TOOLCHAIN, hint: HINT, env });
  const moduleConfig = join(moduleDir(UI_MODULE, version, env), 'config');
  mkdirSync(config, { recursive: true });
  // The image listens on every interface inside its container; here the UI stays on loopback.
  writeFileSync(join(config, 'base.yaml'), `${readFileSync(join(moduleConfig, 'base.yaml'), 'utf8').trimEnd()}\nhost: 127.0.0.1\n`);
  writeFileSync(join(config, 'docker.yaml'), readFileSync(join(moduleConfig, 'docker.yaml')));
  return build;
}
