// redis.snapshot / redis.restore / redis.persistence against real redis-servers: the one `npm test`
// starts (DR_TEST_REDIS_URL) for snapshots, and one per restore test, started and stopped by the
// restore itself with the commands a runbook would give (`redis-server <conf>`, `redis-cli shutdown`).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { redisConfText } from '../../../../scripts/lib/redis.js';
import { readSetManifest } from '../../../../src/activities/backup-sets.js';
import { redisPersistence } from '../../../../src/activities/redis/persistence.js';
import { redisRestore } from '../../../../src/activities/redis/restore.js';
import { redisSnapshot } from '../../../../src/activities/redis/snapshot.js';
import { FsBackupStore } from '../../../../src/activities/storage/fs-store.js';
import { waitUntil } from '../../../helpers/wait.js';
import { redisUrl } from '../../../helpers/services.js';

const REDIS_URL = redisUrl();
const scratch = mkdtempSync(join(tmpdir(), 'dr-redis-test-'));
const store = new FsBackupStore(join(scratch, 'store'));
const deps = { store, heartbeat: () => {}, log: { info() {}, warn() {} } };
after(() => rmSync(scratch, { recursive: true, force: true }));

type Client = ReturnType<typeof createClient>;
async function withRedis<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = createClient({ url, socket: { reconnectStrategy: false } });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

async function fill(c: Client, db: number, count: number, prefix: string, ttl = 0): Promise<void> {
  await c.select(db);
  const multi = c.multi();
  for (let i = 0; i < count; i++) multi.set(`${prefix}:${i}`, `value-${i}`, ttl ? { EX: ttl } : undefined);
  await multi.exec();
  await c.select(0);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('redis.* activities', () => {
  describe('redis.snapshot', () => {
    before(async () => {
      await withRedis(REDIS_URL, async (c) => {
        await c.flushAll();
        await c.configSet('rdb-key-save-delay', '0');
        await fill(c, 0, 600, 'user');
        await fill(c, 3, 400, 'session', 3600);
      });
    });

    it('waits for its own BGSAVE (slowed to ~1.5 s) and stores the RDB with its sha256 and the fork-time key counts', async () => {
      // 1000 keys x 1.5 ms: a save that outlasts LASTSAVE's one-second resolution.
      await withRedis(REDIS_URL, (c) => c.configSet('rdb-key-save-delay', '1500'));
      try {
        const result = await redisSnapshot({ url: REDIS_URL, prefix: 'redis/daily' }, deps);
        assert.equal(result.keys, 1000);
        assert.deepEqual(result.databases, { db0: { keys: 600, expires: 0 }, db3: { keys: 400, expires: 400 } });
        assert.ok(result.bgsaveMs >= 1400, `BGSAVE took ${result.bgsaveMs} ms, expected the slowed save to be waited for`);
        assert.match(result.id, /^\d{8}T\d{6}Z-redis-\d+-[0-9a-f]{4}$/);
        const key = `redis/daily/${result.id}`;
        const manifest = await readSetManifest(store, key, 'redis');
        assert.equal(manifest.kind, 'redis');
        assert.equal(manifest.objects.length, 1);
        assert.equal(manifest.objects[0]!.name, 'dump.rdb');
        const stored = join(scratch, 'store', key, 'dump.rdb');
        assert.equal(manifest.objects[0]!.sha256, sha256(stored));
        assert.equal(manifest.objects[0]!.bytes, readFileSync(stored).length);
        assert.equal(readFileSync(stored).subarray(0, 5).toString(), 'REDIS');
        assert.equal(manifest.redis.keys, 1000);
        assert.ok(manifest.redis.rdbVersion >= 9);
        // The stored file is the one our save wrote: byte for byte the live dump.rdb.
        const dir = await withRedis(REDIS_URL, async (c) => (await c.configGet('dir')).dir!);
        assert.equal(sha256(join(dir, 'dump.rdb')), manifest.objects[0]!.sha256);
      } finally {
        await withRedis(REDIS_URL, (c) => c.configSet('rdb-key-save-delay', '0'));
      }
    });

    it('waits out a BGSAVE already running, then takes its own', async () => {
      const saves = async () => Number(/rdb_saves:(\d+)/.exec(await withRedis(REDIS_URL, (c) => c.info('persistence')))![1]);
      await withRedis(REDIS_URL, async (c) => {
        await c.configSet('rdb-key-save-delay', '1000');
        await c.bgSave();
      });
      const before = await saves();
      try {
        const result = await redisSnapshot({ url: REDIS_URL, prefix: 'redis/daily' }, deps);
        assert.equal(result.keys, 1000);
        assert.equal(await saves(), before + 1, 'exactly one save of our own after the one already running');
      } finally {
        await withRedis(REDIS_URL, (c) => c.configSet('rdb-key-save-delay', '0'));
      }
    });

    it('says which server it could not reach', async () => {
      const port = await freePort();
      await assert.rejects(redisSnapshot({ url: `redis://:s3cret@127.0.0.1:${port}`, prefix: 'redis/daily' }, deps), (err: Error) => {
        assert.equal((err as { type?: string }).type, 'StepCommandFailed');
        assert.match(err.message, new RegExp(`^Redis snapshot of redis://127\\.0\\.0\\.1:${port} not started: could not connect: .*ECONNREFUSED`));
        assert.ok(!err.message.includes('s3cret'));
        return true;
      });
    });
  });

  describe('redis.persistence', () => {
    it("applies the seed's AOF set-up and writes it to the config file", async () => {
      await withRedis(REDIS_URL, (c) => c.configSet({ appendonly: 'no', appendfsync: 'always' }));
      const result = await redisPersistence({ url: REDIS_URL, appendonly: true, appendfsync: 'everysec', rewriteConfig: true }, deps);
      assert.deepEqual(result.before, { appendonly: 'no', appendfsync: 'always' });
      assert.deepEqual(result.after, { appendonly: 'yes', appendfsync: 'everysec' });
      assert.deepEqual(result.warnings, []);
      const conf = readFileSync(result.configFile!, 'utf8');
      assert.match(conf, /^appendonly yes$/m);
      assert.match(conf, /^appendfsync everysec$/m);
      await withRedis(REDIS_URL, async (c) => assert.match(await c.info('persistence'), /aof_enabled:1/));
      await withRedis(REDIS_URL, (c) => c.configSet('appendonly', 'no'));
    });
  });

  describe('redis.restore (and a failing snapshot), on a Redis of its own', () => {
    let port: number;
    let dataDir: string;
    let conf: string;
    let url: string;
    let start: string[];
    let stop: string[];
    const keyCount = (db = 0) => withRedis(url, async (c) => (await c.select(db), c.dbSize()));

    before(async () => {
      port = await freePort();
      dataDir = join(scratch, `restore-${port}`);
      url = `redis://127.0.0.1:${port}`;
      conf = join(dataDir, 'redis.conf');
      execFileSync('mkdir', ['-p', dataDir]);
      // Daemonized from a config file with AOF on, as a packaged Redis runs under systemd.
      // `enable-protected-configs local` lets a test point `dir` somewhere unwritable.
      const text = redisConfText({ port, dataDir, daemonize: true, pidFile: join(dataDir, 'redis.pid'), logFile: join(dataDir, 'redis.log'), appendonly: true });
      writeFileSync(conf, `${text}enable-protected-configs local\n`);
      start = ['redis-server', conf];
      stop = ['redis-cli', '-p', String(port), 'shutdown'];
      execFileSync(start[0]!, start.slice(1));
      await waitUntil('redis-server to answer PING', () => withRedis(url, (c) => c.ping()).catch(() => false));
      await withRedis(url, async (c) => {
        await fill(c, 0, 300, 'wallet');
        await fill(c, 2, 50, 'cache', 3600);
      });
    });
    after(() => {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore' });
      } catch {
        // already down
      }
    });

    it('fails with the BGSAVE status when Redis cannot write its RDB, leaving no set behind', async () => {
      const dir = await withRedis(url, async (c) => (await c.configGet('dir')).dir!);
      const sets = () => store.list('redis/failing/');
      await withRedis(url, (c) => c.configSet('dir', '/proc'));
      try {
        await assert.rejects(redisSnapshot({ url, prefix: 'redis/failing' }, deps), {
          name: 'ApplicationFailure',
          type: 'StepCommandFailed',
          message: `Redis snapshot of ${url} failed: BGSAVE failed (rdb_last_bgsave_status:err); the Redis log says why (disk full, permissions, ...)`,
        });
        assert.deepEqual(await sets(), []);
      } finally {
        await withRedis(url, (c) => c.configSet('dir', dir));
      }
    });

    it('restores the RDB with AOF on: the restored data is what Redis serves, and still after a restart', async () => {
      const snap = await redisSnapshot({ url, prefix: 'redis/restore-test/daily' }, deps);
      assert.equal(snap.keys, 350);
      // The incident: keys lost and junk written, all of it in the AOF.
      await withRedis(url, async (c) => {
        for (let i = 0; i < 100; i++) await c.del(`wallet:${i}`);
        await fill(c, 0, 40, 'junk');
      });
      assert.equal(await keyCount(), 240);

      const result = await redisRestore({ url, backup: 'latest', prefix: 'redis/restore-test', start, stop }, deps);
      assert.equal(result.backup.id, snap.id);
      assert.equal(result.wasDown, false);
      assert.equal(result.aof.enabled, true);
      assert.equal(result.aof.movedAside.length, 1);
      assert.match(result.aof.movedAside[0]!, /appendonlydir\.before-restore-\d{8}T\d{6}Z$/);
      assert.deepEqual(result.keys, {
        expected: 350,
        restored: 350,
        databases: { db0: { expected: 300, expires: 0, restored: 300 }, db2: { expected: 50, expires: 50, restored: 50 } },
      });
      assert.equal(await keyCount(), 300);
      assert.equal(await withRedis(url, (c) => c.get('wallet:7')), 'value-7');
      assert.equal(await withRedis(url, (c) => c.exists('junk:1')), 0);
      await withRedis(url, async (c) => assert.match(await c.info('persistence'), /aof_enabled:1/));
      assert.match(readFileSync(conf, 'utf8'), /^appendonly yes$/m, 'CONFIG REWRITE put AOF back in the config file');

      // The real test of the AOF handling: a restart loads the new AOF, built from the restored data.
      execFileSync(stop[0]!, stop.slice(1));
      await waitUntil('redis-server to stop', () => withRedis(url, (c) => c.ping()).then(() => false, () => true));
      execFileSync(start[0]!, start.slice(1));
      await waitUntil('redis-server to answer PING', () => withRedis(url, (c) => c.ping()).catch(() => false));
      assert.equal(await keyCount(), 300);
      assert.equal(await keyCount(2), 50);
      assert.equal(await withRedis(url, (c) => c.exists('junk:1')), 0);
    });

    it('refuses a corrupted RDB before stopping Redis', async () => {
      const snap = await redisSnapshot({ url, prefix: 'redis/corrupt-test/daily' }, deps);
      const object = join(scratch, 'store', 'redis/corrupt-test/daily', snap.id, 'dump.rdb');
      const bytes = readFileSync(object);
      bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
      writeFileSync(object, bytes);
      await withRedis(url, (c) => c.set('written-after', '1'));
      const { objects } = await readSetManifest(store, `redis/corrupt-test/daily/${snap.id}`, 'redis');
      await assert.rejects(redisRestore({ url, backup: snap.id, prefix: 'redis/corrupt-test', start, stop }, deps), {
        name: 'ApplicationFailure',
        type: 'BackupCorrupt',
        message:
          `Redis restore of ${url} failed: redis/corrupt-test/daily/${snap.id}/dump.rdb does not match its manifest: ` +
          `sha256 ${sha256(object)}, expected ${objects[0]!.sha256}`,
      });
      // Untouched: still up, still holding the key written after the snapshot, no scratch file left.
      assert.equal(await withRedis(url, (c) => c.get('written-after')), '1');
      assert.deepEqual(readdirSync(dataDir).filter((f) => f.includes('dr-restore')), []);
    });

    it('restores into a Redis that is already down, given where its files are', async () => {
      const snap = await redisSnapshot({ url, prefix: 'redis/down-test/daily' }, deps);
      const keys = snap.keys;
      await withRedis(url, (c) => c.flushAll());
      execFileSync(stop[0]!, stop.slice(1));
      await waitUntil('redis-server to stop', () => withRedis(url, (c) => c.ping()).then(() => false, () => true));
      const result = await redisRestore({ url, backup: 'latest', prefix: 'redis/down-test', start, stop, dir: dataDir, configFile: conf }, deps);
      assert.equal(result.wasDown, true);
      assert.equal(result.keys.restored, keys);
      assert.equal(result.aof.enabled, true);
    });
  });
});
