// docker-compose.yml and the Dockerfile, checked without a Docker engine: the Compose Specification's
// JSON schema (as shipped by dclint), the files they name, the worker image's build context after
// .dockerignore, and the settings our containers get.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../../../scripts/lib/search-attributes.js';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../../scripts/lib/temporal-build.js';
import { clusterPorts, clusterServerEnv, clusterUiEnv, readTemporalEnv, searchAttributeList } from '../../../scripts/lib/temporal-cluster-config.js';
import { WORKER_MEMORY_SETTINGS } from '../../../scripts/lib/worker-command.js';
import { loadConfig } from '../../../src/config.js';

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  env_file?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  profiles?: string[];
  command?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { name: string; services: Record<string, Service>; volumes: Record<string, unknown> };
const { services } = compose;

/** `${VAR:-default}` as Compose interpolates it with nothing set. */
const interpolate = (value: string) => value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1').replace(/\$\$/g, '$');

/** The .dockerignore patterns: Docker matches them from the context root. */
function dockerignored(path: string): boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return patterns.some((p) => {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
    return re.test(path);
  });
}

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    // dclint does not export the file; find it beside its package.json.
    const pkg = createRequire(import.meta.url).resolve('dclint/package.json');
    const schema = JSON.parse(readFileSync(join(pkg, '..', 'schemas', 'compose.schema.json'), 'utf8')) as object;
    // Its $schema names the draft-07 meta-schema by https, which Ajv knows by http: skip that check.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
    // ... and the schema does catch mistakes.
    assert.equal(validate({ services: { worker: { image: 'x', restart_policy: 'always' } } }), false);
  });

  test('has the production-shaped services', () => {
    for (const name of ['temporal-postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'minio', 'minio-setup', 'worker', 'codec-server']) {
      assert.ok(services[name], `service ${name}`);
    }
    assert.match(services['temporal']!.image!, /^temporalio\/(server|auto-setup):/);
    assert.match(services['temporal-ui']!.image!, /^temporalio\/ui:/);
    assert.equal(services['worker']!.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
  });

  test('long-running services have health checks and restart policies; dependencies wait on them', () => {
    for (const [name, s] of Object.entries(services)) {
      const oneShot = name.endsWith('-setup') || name === 'temporal-schema';
      if (oneShot) {
        assert.match(s.restart ?? '', /^on-failure/, `${name} retries, then stops`);
        continue;
      }
      assert.ok(s.healthcheck?.test?.length, `${name} has a health check`);
      assert.equal(s.restart, 'unless-stopped', `${name} restarts`);
    }
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        assert.ok(services[dep], `${name} depends on an existing service ${dep}`);
        const wanted = dep.endsWith('-setup') || dep === 'temporal-schema' ? 'service_completed_successfully' : services[dep]!.healthcheck ? 'service_healthy' : 'service_started';
        if (name !== 'codec-server') assert.equal(condition, wanted, `${name} → ${dep}`);
      }
    }
  });

  test('data lives in named volumes; every bind mount and env file exists', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) assert.ok(existsSync(join(root, source)), `${name}: ${source} exists`);
        else assert.ok(source in compose.volumes, `${name}: volume ${source} is declared`);
      }
      for (const file of s.env_file ?? []) assert.ok(existsSync(join(root, file)), `${name}: env file ${file} exists`);
    }
    assert.deepEqual(Object.keys(compose.volumes).sort(), ['backups', 'temporal-db', 'worker-state']);
  });

  test('host ports are bound to 127.0.0.1 only', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${name}: ${port}`);
    }
  });

  test('the worker builds from this repository and its settings are valid configuration', () => {
    const worker = services['worker']!;
    assert.equal(worker.build?.context, '.');
    assert.ok(statSync(join(root, worker.build!.dockerfile ?? 'Dockerfile')).isFile());
    const envFile = Object.fromEntries(
      read('deploy/easymo-dr.env')
        .split('\n')
        .filter((l) => /^[A-Z_0-9]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const env = { ...envFile, ...Object.fromEntries(Object.entries(worker.environment!).map(([k, v]) => [k, interpolate(String(v))])) };
    const config = loadConfig(env, '/app');
    assert.equal(config.DR_METRICS_PORT, 9464);
    assert.ok(worker.ports!.some((p) => p.endsWith(':9464')), 'the metrics port is published');
    assert.equal(config.DR_BACKUP_STORE, 's3://easymo-dr-backups/backups');
    assert.equal(config.DR_S3_ENDPOINT, 'http://minio:9000');
    assert.equal(config.DR_S3_FORCE_PATH_STYLE, true);
    // The codec server runs the same image and answers the UI at the origin it is published on.
    const codec = services['codec-server']!;
    assert.equal(codec.image, worker.image);
    assert.deepEqual(codec.profiles, ['encryption']);
    assert.equal(interpolate(codec.command!.at(-1)!), interpolate(services['temporal-ui']!.environment!.TEMPORAL_CORS_ORIGINS!));
  });

});

describe('the Temporal server configuration: one source for docker-compose.yml and the local cluster', () => {
  const shared = readTemporalEnv();
  const temporalServices = ['temporal-schema', 'temporal', 'temporal-setup'];
  const local = clusterServerEnv({ ports: clusterPorts(7233), pg: { host: '127.0.0.1', port: 54330, user: 'temporal', password: 'temporal' } });

  test('deploy/temporal/temporal.env holds persistence, visibility, namespace and search attributes', () => {
    assert.equal(shared.DB, 'postgres12');
    assert.equal(shared.DBNAME, 'temporal');
    assert.equal(shared.VISIBILITY_DBNAME, 'temporal_visibility');
    assert.match(shared.NUM_HISTORY_SHARDS!, /^\d+$/);
    assert.match(shared.TEMPORAL_RETENTION!, /^\d+[dh]$/);
    assert.equal(shared.DR_SEARCH_ATTRIBUTES, Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`).join(','));
    assert.equal(searchAttributeList(), shared.DR_SEARCH_ATTRIBUTES);
  });

  test('every Temporal service of docker-compose.yml reads it and overrides none of it', () => {
    for (const name of temporalServices) {
      const s = services[name]!;
      assert.deepEqual(s.env_file, ['./deploy/temporal/temporal.env'], `${name} reads deploy/temporal/temporal.env`);
      for (const key of Object.keys(s.environment ?? {})) assert.ok(!(key in shared), `${name} sets ${key}, which deploy/temporal/temporal.env holds`);
    }
  });

  test('the local cluster gets the same settings, and the same knobs for what differs per deployment', () => {
    for (const [key, value] of Object.entries(shared)) assert.equal(local[key], value, key);
    // The compose services set addresses, ports and logins only; the local cluster sets each of those too.
    for (const name of temporalServices.filter((n) => n !== 'temporal-setup')) {
      for (const key of Object.keys(services[name]!.environment!)) assert.ok(key in local, `${name} sets ${key}; the local cluster does not`);
    }
    assert.equal(local.BIND_ON_IP, '127.0.0.1');
    assert.deepEqual(Object.keys(services['temporal-setup']!.environment!).sort(), ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE']);
  });

  test('both run the same dynamic config file and set-up scripts', () => {
    const temporal = services['temporal']!;
    const mount = temporal.volumes!.find((v) => v.startsWith('./deploy/temporal/dynamicconfig.yaml:'))!;
    assert.ok(mount, 'the temporal service mounts deploy/temporal/dynamicconfig.yaml');
    // The image's working directory is /etc/temporal: the relative path points at the mount.
    assert.equal(mount.split(':')[1], `/etc/temporal/${temporal.environment!.DYNAMIC_CONFIG_FILE_PATH}`);
    assert.equal(local.DYNAMIC_CONFIG_FILE_PATH, join(root, 'deploy/temporal/dynamicconfig.yaml'));
    assert.ok(services['temporal-schema']!.volumes!.includes('./deploy/temporal/setup-schema.sh:/deploy/setup-schema.sh:ro'));
    assert.ok(services['temporal-setup']!.volumes!.includes('./deploy/temporal/setup-temporal.sh:/deploy/setup-temporal.sh:ro'));
    // The scripts take every name from the environment, so the two runs cannot differ in them.
    assert.doesNotMatch(read('deploy/temporal/setup-temporal.sh'), /DrRunbook/);
    assert.doesNotMatch(read('deploy/temporal/setup-schema.sh'), /temporal_visibility|postgres12/);
  });

  test('the images are the versions the local cluster builds', () => {
    const tag = (name: string) => interpolate(services[name]!.image!).split(':')[1];
    assert.equal(tag('temporal'), TEMPORAL_SERVER_VERSION);
    assert.equal(tag('temporal-schema'), TEMPORAL_SERVER_VERSION);
    assert.equal(tag('temporal-setup'), TEMPORAL_SERVER_VERSION);
    assert.equal(tag('temporal-ui'), TEMPORAL_UI_VERSION);
  });

  test('the UI is configured through the same variables of the same template', () => {
    const ui = clusterUiEnv({ address: '127.0.0.1:7233', uiPort: 8233, namespace: 'default' });
    for (const key of Object.keys(services['temporal-ui']!.environment!)) assert.ok(key in ui, `temporal-ui sets ${key}; the local UI does not`);
  });
});

describe('Dockerfile and build context', () => {
  const dockerfile = read('Dockerfile');
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  const context = tracked.filter((f) => !dockerignored(f));

  test('.dockerignore keeps dependencies, state and secrets out', () => {
    for (const path of ['node_modules', 'node_modules/x/index.js', '.state/temporal.sqlite', '.git/config', '.env', 'test/unit/x.test.ts', 'test-artifacts/ui/1.png']) {
      assert.ok(dockerignored(path), `${path} is excluded`);
    }
  });

  test('the context holds what the image needs', () => {
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin/dr.js', 'src/worker.ts', 'src/workflows/index.ts', 'scripts/bundle-workflows.ts']) {
      assert.ok(context.includes(path), `${path} is in the build context`);
    }
    assert.ok(context.some((f) => /^runbooks\/.+\.ya?ml$/.test(f)), 'the runbooks are in the build context');
  });

  test('every COPY source is in the context', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
    assert.ok(sources.length >= 6);
    for (const source of sources) {
      assert.ok(context.some((f) => f === source || f.startsWith(`${source}/`)), `COPY ${source}: not in the build context`);
    }
  });

  test('multi-stage on node:20-slim, production dependencies only, prebuilt bundle, non-root', () => {
    assert.deepEqual([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]), ['node:20-slim', 'node:20-slim']);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /RUN node --import tsx scripts\/bundle-workflows\.ts \/app\/dist\/workflow-bundle\.js/);
    assert.match(dockerfile, /DR_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(users, ['node']);
    assert.match(dockerfile, /^HEALTHCHECK /m);
    assert.match(dockerfile, /^RUN node scripts\/build-cli\.mjs$/m);
    // The worker's memory settings, the same as `npm start`'s.
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    assert.ok(cmd, 'the Dockerfile has a CMD in exec form');
    assert.deepEqual(JSON.parse(cmd[1]!), ['node', ...WORKER_MEMORY_SETTINGS.nodeFlags, 'dist/src/worker.js']);
    for (const [name, value] of Object.entries(WORKER_MEMORY_SETTINGS.env)) assert.match(dockerfile, new RegExp(`^\\s+${name}=${value}( \\\\)?$`, 'm'));
  });
});
