// The cheap-to-test parts of scripts/lib: the test-file finder, the lock file, port checks, the
// dev-server arguments and the cache/staleness rules.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { acquireLock, readLock, lockOwnerAlive } from '../../../../scripts/lib/lock.js';
import { nodeModulesStaleReason } from '../../../../scripts/bootstrap.mjs';
import { describePortHolder, isPortFree, assertPortsFree } from '../../../../scripts/lib/ports.js';
import { pidAlive } from '../../../../scripts/lib/process.js';
import { SEARCH_ATTRIBUTES, searchAttributeArgs } from '../../../../scripts/lib/search-attributes.js';
import { TEMPORAL_CLI_VERSION, temporalCliCachePath } from '../../../../scripts/lib/temporal-cli.js';
import { temporalServerArgs } from '../../../../scripts/lib/temporal-server.js';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION, temporalServerDir, temporalUiDir } from '../../../../scripts/lib/temporal-build.js';
import { clusterPorts, readTemporalEnv } from '../../../../scripts/lib/temporal-cluster-config.js';
import { CLUSTER_PROFILE, clusterProfileFiles, findTestFiles, servicesFor, servicesForFiles } from '../../../../scripts/lib/test-files.js';
import { SEARCH_ATTRIBUTE_KEYS } from '../../../../src/workflows/search-attributes.js';
import { cacheDir, tailFile } from '../../../../scripts/lib/util.js';

const scratch = mkdtempSync(join(tmpdir(), 'dr-scripts-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function touch(path: string, content = ''): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  assert.ok(r.pid);
  return r.pid;
}

describe('findTestFiles', () => {
  const root = join(scratch, 'repo');
  touch(join(root, 'test/unit/b.test.ts'));
  touch(join(root, 'test/unit/a.test.ts'));
  touch(join(root, 'test/unit/helper.ts'));
  touch(join(root, 'test/workflow/deep/x.test.ts'));
  touch(join(root, 'test/e2e/z.test.ts'));
  touch(join(root, 'test/.hidden/h.test.ts'));
  touch(join(root, 'test/fixtures/node_modules/n.test.ts'));
  touch(join(root, 'test/notes.test.ts.md'));

  it('finds every *.test.ts under test/, sorted, skipping dot-folders and node_modules', () => {
    assert.deepEqual(findTestFiles(root), [
      'test/e2e/z.test.ts',
      'test/unit/a.test.ts',
      'test/unit/b.test.ts',
      'test/workflow/deep/x.test.ts',
    ]);
  });

  it('limits to the given folders and files, without duplicates', () => {
    assert.deepEqual(findTestFiles(root, ['test/workflow', 'test/unit/b.test.ts', 'test/workflow/deep']), [
      'test/unit/b.test.ts',
      'test/workflow/deep/x.test.ts',
    ]);
  });

  it('returns nothing for a folder without tests (the caller fails loudly) and throws on a missing path', () => {
    mkdirSync(join(root, 'test/integration'), { recursive: true });
    assert.deepEqual(findTestFiles(root, ['test/integration']), []);
    assert.throws(() => findTestFiles(root, ['test/nope']), /no such test file or folder: test\/nope/);
  });
});

describe('the cluster profile', () => {
  it('runs its list and every chaos test, and each of them exists', () => {
    const root = join(scratch, 'profile');
    for (const f of [...CLUSTER_PROFILE, 'test/e2e/worker/chaos.test.ts', 'test/e2e/cli/cli.test.ts']) touch(join(root, f));
    assert.deepEqual(clusterProfileFiles(root), [...CLUSTER_PROFILE, 'test/e2e/worker/chaos.test.ts'].sort());
    const repo = join(import.meta.dirname, '../../../..');
    for (const f of CLUSTER_PROFILE) assert.ok(existsSync(join(repo, f)), `${f} exists`);
    // The bounded chaos test is in the suite, so the cluster profile runs it on the real server too.
    assert.ok(clusterProfileFiles(repo).includes('test/e2e/worker/chaos.test.ts'));
  });
});

describe('the services a test file gets', () => {
  it('are its tier\'s: none for unit tests, the stack for the others', () => {
    assert.deepEqual(servicesFor('test/unit/safety/sql.test.ts'), []);
    for (const tier of ['workflow', 'integration', 'e2e']) {
      assert.deepEqual(servicesFor(`test/${tier}/x/y.test.ts`), ['temporal', 'postgres', 's3', 'redis'], tier);
    }
  });

  it('add Kafka for files or folders named kafka* or data-* (not in unit), Chromium for e2e ui*', () => {
    assert.ok(servicesFor('test/integration/activities/kafka/kafka.test.ts').includes('kafka'));
    assert.ok(servicesFor('test/integration/activities/kafka/export.test.ts').includes('kafka'));
    assert.ok(servicesFor('test/workflow/workflows/data-runbooks.test.ts').includes('kafka'));
    assert.ok(!servicesFor('test/integration/activities/redis/redis.test.ts').includes('kafka'));
    assert.deepEqual(servicesFor('test/unit/runbook/data-actions.test.ts'), []);
    assert.ok(servicesFor('test/e2e/ui/journey.test.ts').includes('chromium'));
    assert.ok(servicesFor('test/e2e/ui/report.test.ts').includes('chromium'));
    assert.ok(!servicesFor('test/e2e/scripts/drill.test.ts').includes('chromium'));
  });

  it('for a run are the union, and a file outside every tier is refused', () => {
    assert.deepEqual(servicesForFiles(['test/unit/a.test.ts', 'test/unit/b.test.ts']), []);
    assert.deepEqual(servicesForFiles(['test/unit/a.test.ts', 'test/e2e/ui/journey.test.ts']), ['temporal', 'postgres', 's3', 'redis', 'chromium']);
    assert.throws(() => servicesFor('test/misc/a.test.ts'), /test\/misc\/a\.test\.ts: a test file belongs under one of test\/unit, test\/workflow/);
  });
});

describe('acquireLock', () => {
  it('takes a free lock, records the owner, refuses a second taker while the owner lives, and releases', () => {
    const file = join(scratch, 'lock1', 'easymo-dr.pid');
    const first = acquireLock(file, { uiUrl: 'http://localhost:8233' });
    assert.equal(first.ok, true);
    assert.ok(first.ok);
    const stored = readLock(file);
    assert.equal(stored?.pid, process.pid);
    assert.equal(stored?.uiUrl, 'http://localhost:8233');

    const second = acquireLock(file);
    assert.equal(second.ok, false);
    assert.ok(!second.ok);
    assert.equal(second.holder.pid, process.pid);
    assert.equal(second.holder.uiUrl, 'http://localhost:8233');

    first.lock.update({ children: [{ name: 'temporal', pid: 12345 }] });
    assert.deepEqual(readLock(file)?.children, [{ name: 'temporal', pid: 12345 }]);
    first.lock.release();
    assert.equal(existsSync(file), false);
    const third = acquireLock(file);
    assert.equal(third.ok, true);
    if (third.ok) third.lock.release();
  });

  it('takes over a lock whose owner died, stopping the services it left running', async () => {
    const file = join(scratch, 'lock2', 'easymo-dr.pid');
    const leftover = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => leftover.on('exit', resolve));
    assert.ok(leftover.pid);
    touch(
      file,
      JSON.stringify({
        pid: deadPid(),
        startedAt: new Date().toISOString(),
        children: [{ name: 'temporal', pid: leftover.pid, cmd: 'sleep 300' }],
      }),
    );
    assert.equal(lockOwnerAlive(readLock(file)), false);
    const messages: string[] = [];
    const taken = acquireLock(file, {}, { log: (m) => messages.push(m) });
    assert.equal(taken.ok, true);
    await exited;
    assert.equal(pidAlive(leftover.pid), false);
    assert.match(messages.join('\n'), /stopping temporal \(pid \d+\) left running by a previous run/);
    if (taken.ok) taken.lock.release();
  });

  it('does not kill an unrelated process that reused a recorded pid', () => {
    const file = join(scratch, 'lock3', 'easymo-dr.pid');
    const unrelated = spawn('sleep', ['300'], { stdio: 'ignore' });
    assert.ok(unrelated.pid);
    try {
      touch(
        file,
        JSON.stringify({ pid: deadPid(), startedAt: '', children: [{ name: 'worker', pid: unrelated.pid, cmd: 'src/worker.ts' }] }),
      );
      const taken = acquireLock(file);
      assert.equal(taken.ok, true);
      assert.equal(pidAlive(unrelated.pid), true);
      if (taken.ok) taken.lock.release();
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('treats a live pid whose command line no longer matches as a stale owner', () => {
    const file = join(scratch, 'lock4', 'easymo-dr.pid');
    touch(file, JSON.stringify({ pid: process.pid, cmd: 'no-such-command-line-xyz', startedAt: '', children: [] }));
    const taken = acquireLock(file);
    assert.equal(taken.ok, true);
    if (taken.ok) taken.lock.release();
  });
});

describe('ports', () => {
  it('tells a free port from a busy one and names the holder', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      assert.equal(await isPortFree(port), false);
      if (process.platform === 'linux') assert.match(describePortHolder(port) ?? '', new RegExp(`\\(pid ${process.pid}\\)`));
      await assert.rejects(
        assertPortsFree([{ port, what: 'Temporal frontend' }], 'use TEMPORAL_PORT'),
        new RegExp(`port ${port} \\(Temporal frontend\\) is already in use[\\s\\S]*use TEMPORAL_PORT`),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    assert.equal(await isPortFree(port), true);
    await assertPortsFree([{ port, what: 'x' }]);
  });

  it('refuses one free port given to two services', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(
      assertPortsFree([
        { port, what: 'test Temporal cluster (frontendHttp)' },
        { port, what: 'test Temporal UI' },
      ]),
      new RegExp(`port ${port} is given to both test Temporal cluster \\(frontendHttp\\) and test Temporal UI`),
    );
  });
});

describe('Temporal dev server set-up', () => {
  it('registers every search attribute with its type', () => {
    assert.deepEqual(SEARCH_ATTRIBUTES, {
      DrRunbook: 'Keyword',
      DrMode: 'Keyword',
      DrStatus: 'Keyword',
      DrRtoStatus: 'Keyword',
      DrRtoDeadline: 'Datetime',
    });
    const args = temporalServerArgs({ dbFile: '/s/temporal.sqlite', port: 7243, uiPort: 8243 });
    assert.deepEqual(args.slice(0, 8), ['server', 'start-dev', '--db-filename', '/s/temporal.sqlite', '--port', '7243', '--ui-port', '8243']);
    assert.ok(args.includes('--ip') && args[args.indexOf('--ip') + 1] === '127.0.0.1');
    const registered = searchAttributeArgs().filter((_, i) => i % 2 === 1);
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) assert.ok(registered.includes(`${name}=${type}`));
    assert.ok(args.join(' ').includes('--search-attribute DrRtoDeadline=Datetime'));
    assert.ok(!args.includes('--namespace'));
    assert.ok(temporalServerArgs({ dbFile: 'x', port: 1, uiPort: 2, namespace: 'dr' }).join(' ').includes('--namespace dr'));
  });

  it('registers exactly the search attributes the workflow code sets, in the CLI\'s spelling of their types', () => {
    assert.deepEqual(Object.keys(SEARCH_ATTRIBUTES), SEARCH_ATTRIBUTE_KEYS.map((k) => k.name));
    for (const key of SEARCH_ATTRIBUTE_KEYS) assert.equal(SEARCH_ATTRIBUTES[key.name]!.toUpperCase(), key.type);
  });

  it('caches the CLI per machine under XDG_CACHE_HOME or ~/.cache, by version', () => {
    assert.equal(cacheDir({ XDG_CACHE_HOME: '/c' }), '/c/easymo-dr');
    assert.equal(temporalCliCachePath({ XDG_CACHE_HOME: '/c' }), `/c/easymo-dr/temporal-${TEMPORAL_CLI_VERSION}/temporal`);
    assert.match(cacheDir({}), /\.cache\/easymo-dr$/);
  });
});

describe('Temporal cluster set-up', () => {
  it('takes the nine ports after the frontend, clear of the other stacks\' defaults', () => {
    const start = Object.values(clusterPorts(7233));
    assert.deepEqual(start, Array.from({ length: 10 }, (_, i) => 7233 + i));
    const test = Object.values(clusterPorts(7243));
    // npm start's cluster stays clear of npm test's frontend, npm test's of the e2e test of npm start (7253).
    assert.ok(!start.includes(7243));
    assert.ok(!test.includes(7253));
    assert.deepEqual(Object.values(clusterPorts(7361, 17300)).slice(1, 3), [17300, 17301]);
  });

  it('reads deploy/temporal/temporal.env, and names the line it cannot read', () => {
    assert.equal(readTemporalEnv().DB, 'postgres12');
    const bad = join(scratch, 'bad.env');
    touch(bad, '# comment\nDB=postgres12\nNUM_HISTORY_SHARDS 4\n');
    assert.throws(() => readTemporalEnv(bad), { message: `${bad}: expected NAME=value, got \`NUM_HISTORY_SHARDS 4\`` });
  });

  it('caches the server and UI builds per machine, by version', () => {
    assert.equal(temporalServerDir({ XDG_CACHE_HOME: '/c' }), `/c/easymo-dr/temporal-server-${TEMPORAL_SERVER_VERSION}`);
    assert.equal(temporalUiDir({ XDG_CACHE_HOME: '/c' }), `/c/easymo-dr/temporal-ui-${TEMPORAL_UI_VERSION}`);
  });
});

describe('nodeModulesStaleReason', () => {
  it('asks for an install when node_modules is missing or older than the lock file', () => {
    const root = join(scratch, 'nm');
    touch(join(root, 'package-lock.json'), '{}');
    assert.match(nodeModulesStaleReason(root) ?? '', /missing/);
    touch(join(root, 'node_modules/.package-lock.json'), '{}');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'package-lock.json'), old, old);
    assert.equal(nodeModulesStaleReason(root), undefined);
    const newer = new Date();
    utimesSync(join(root, 'package-lock.json'), newer, newer);
    utimesSync(join(root, 'node_modules/.package-lock.json'), old, old);
    assert.match(nodeModulesStaleReason(root) ?? '', /newer/);
  });
});

describe('tailFile', () => {
  it('returns the last lines of a log, or nothing for a missing file', () => {
    const file = join(scratch, 'log.txt');
    writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    assert.equal(tailFile(file, 3), 'line 97\nline 98\nline 99');
    assert.equal(tailFile(join(scratch, 'missing.log')), '');
    assert.ok(readFileSync(file, 'utf8').length > 0);
  });
});
