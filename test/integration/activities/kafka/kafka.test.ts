// kafka.export / kafka.restore against the real single-node KRaft broker `npm test` starts
// (DR_TEST_KAFKA_BROKERS): topics with configs, consumer groups with committed offsets, then the
// incidents the restore is for — offsets moved, a topic deleted — and a group that is still active.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { readSetManifest } from '../../../../src/activities/backup-sets.js';
import { exportSchema } from '../../../../src/activities/kafka/connection.js';
import { kafkaExport } from '../../../../src/activities/kafka/export.js';
import { commitAsGroup, kafkaRestore } from '../../../../src/activities/kafka/restore.js';
import { FsBackupStore } from '../../../../src/activities/storage/fs-store.js';
import { waitUntil } from '../../../helpers/wait.js';
import { kafkaBrokers } from '../../../helpers/services.js';

const BROKERS = kafkaBrokers();
const scratch = mkdtempSync(join(tmpdir(), 'dr-kafka-test-'));
const store = new FsBackupStore(join(scratch, 'store'));
const deps = { store, heartbeat: () => {}, log: { info() {}, warn() {} } };
after(() => rmSync(scratch, { recursive: true, force: true }));

// Names unique to this run, so a broker reused across runs (or by other tests) does not interfere.
const run = `t${Date.now().toString(36)}`;
const orders = `orders-${run}`;
const payments = `payments-${run}`;
const wallet = `wallet-${run}`;
const ranking = `ranking-${run}`;
const filters = { topics: [`*-${run}`], groups: [`*-${run}`] };

describe('kafka.* activities', () => {
  const kafka = new kafkajs.Kafka({ clientId: 'dr-test', brokers: BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  const conn = { brokers: BROKERS.split(','), ssl: false };
  const committed = async (groupId: string, topic: string) =>
    Object.fromEntries((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.map((p) => [p.partition, p.offset]));

  before(async () => {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: orders, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '86400000' }, { name: 'cleanup.policy', value: 'compact' }] },
        { topic: payments, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '2000000' }] },
      ],
    });
    const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: orders, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `order ${i}`, partition: i % 3 })) });
    await producer.send({ topic: payments, messages: Array.from({ length: 8 }, (_, i) => ({ key: `p${i}`, value: `payment ${i}`, partition: 0 })) });
    await producer.disconnect();
    const at = (topic: string, partition: number, offset: string) => ({ topic, partition, offset });
    await commitAsGroup(kafka, wallet, [at(orders, 0, '5'), at(orders, 1, '7'), at(orders, 2, '10'), at(payments, 0, '3')]);
    await commitAsGroup(kafka, ranking, [at(orders, 0, '2')]);
  });
  after(async () => {
    await admin.deleteTopics({ topics: [orders, payments] }).catch(() => undefined);
    await admin.disconnect();
  });

  let exportId: string;

  it('exports topics (partitions, replication, topic configs) and the groups committed offsets as JSON', async () => {
    const result = await kafkaExport({ ...conn, prefix: 'kafka/daily', ...filters }, deps);
    assert.deepEqual({ topics: result.topics, partitions: result.partitions, groups: result.groups, offsets: result.offsets }, { topics: 2, partitions: 5, groups: 2, offsets: 5 });
    exportId = result.id;
    const key = `kafka/daily/${result.id}`;
    const manifest = await readSetManifest(store, key, 'kafka');
    assert.equal(manifest.objects[0]!.name, 'kafka.json');
    const doc = exportSchema.parse(JSON.parse(readFileSync(join(scratch, 'store', key, 'kafka.json'), 'utf8')));
    assert.deepEqual(
      doc.topics.map(({ offsets: _o, ...t }) => t),
      [
        { name: orders, partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'retention.ms': '86400000' } },
        { name: payments, partitions: 2, replicationFactor: 1, configs: { 'max.message.bytes': '2000000' } },
      ],
    );
    assert.deepEqual(doc.topics[0]!.offsets, [
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '0', high: '10' },
      { partition: 2, low: '0', high: '10' },
    ]);
    assert.deepEqual(
      doc.groups.map((g) => ({ groupId: g.groupId, state: g.state, offsets: g.offsets })),
      [
        { groupId: ranking, state: 'Empty', offsets: [{ topic: orders, partition: 0, offset: '2' }] },
        {
          groupId: wallet,
          state: 'Empty',
          offsets: [
            { topic: orders, partition: 0, offset: '5' },
            { topic: orders, partition: 1, offset: '7' },
            { topic: orders, partition: 2, offset: '10' },
            { topic: payments, partition: 0, offset: '3' },
          ],
        },
      ],
    );
  });

  it('puts moved offsets back exactly, leaving existing topics as they are', async () => {
    await commitAsGroup(kafka, wallet, [
      { topic: orders, partition: 1, offset: '10' },
      { topic: payments, partition: 0, offset: '8' },
    ]);
    const result = await kafkaRestore({ ...conn, backup: exportId, prefix: 'kafka', ...filters, createTopics: true, resetOffsets: true }, deps);
    assert.equal(result.backup.id, exportId);
    assert.deepEqual(result.created, []);
    assert.deepEqual(result.existing, [
      { topic: orders, differences: [] },
      { topic: payments, differences: [] },
    ]);
    assert.deepEqual(result.offsets, [
      { group: ranking, partitions: 1, clamped: [] },
      { group: wallet, partitions: 4, clamped: [] },
    ]);
    assert.deepEqual(await committed(wallet, orders), { 0: '5', 1: '7', 2: '10' });
    assert.deepEqual(await committed(wallet, payments), { 0: '3', 1: '-1' });
  });

  it('recreates a deleted topic with its partitions and configs, clamping offsets into its now empty log', async () => {
    await admin.deleteTopics({ topics: [orders] });
    await waitUntil(`topic ${orders} to be deleted`, async () => !(await admin.listTopics()).includes(orders));
    const result = await kafkaRestore({ ...conn, backup: 'latest', prefix: 'kafka', ...filters, createTopics: true, resetOffsets: true }, deps);
    assert.deepEqual(result.created, [orders]);
    assert.deepEqual(result.existing, [{ topic: payments, differences: [] }]);
    assert.deepEqual(result.offsets, [
      { group: ranking, partitions: 1, clamped: [`${orders}[0]: 2 → 0 (log holds 0-0)`] },
      {
        group: wallet,
        partitions: 4,
        clamped: [`${orders}[0]: 5 → 0 (log holds 0-0)`, `${orders}[1]: 7 → 0 (log holds 0-0)`, `${orders}[2]: 10 → 0 (log holds 0-0)`],
      },
    ]);
    const meta = (await admin.fetchTopicMetadata({ topics: [orders] })).topics[0]!;
    assert.equal(meta.partitions.length, 3);
    const configs = (await admin.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: orders }], includeSynonyms: false })).resources[0]!;
    const value = (name: string) => configs.configEntries.find((e) => e.configName === name)?.configValue;
    assert.equal(value('retention.ms'), '86400000');
    assert.equal(value('cleanup.policy'), 'compact');
    assert.deepEqual(await committed(wallet, orders), { 0: '0', 1: '0', 2: '0' });
    assert.deepEqual(await committed(wallet, payments), { 0: '3', 1: '-1' });
  });

  it('refuses to touch anything while a group has live consumers', async () => {
    const consumer = kafka.consumer({ groupId: wallet, sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: payments });
    let joined!: () => void;
    const ready = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({ eachMessage: async () => {} });
    try {
      await ready;
      await admin.deleteTopics({ topics: [orders] });
      await waitUntil(`topic ${orders} to be deleted`, async () => !(await admin.listTopics()).includes(orders));
      await assert.rejects(kafkaRestore({ ...conn, backup: 'latest', prefix: 'kafka', ...filters, createTopics: true, resetOffsets: true }, deps), {
        name: 'ApplicationFailure',
        type: 'StepCommandFailed',
        message: `Kafka restore into ${BROKERS} failed: consumer groups are active, stop their consumers first: ${wallet} (Stable, 1 member). Nothing was changed`,
      });
      assert.equal((await admin.listTopics()).includes(orders), false, 'the deleted topic was not recreated');
    } finally {
      await consumer.disconnect();
    }
  });

  it('says which brokers it could not reach, and beats while it tries (its retries outlast a heartbeat timeout)', async () => {
    for (const run of [
      (d: typeof deps) => kafkaExport({ brokers: ['127.0.0.1:1'], ssl: false, prefix: 'kafka/daily', topics: [], groups: [] }, d),
      (d: typeof deps) => kafkaRestore({ brokers: ['127.0.0.1:1'], ssl: false, backup: exportId, prefix: 'kafka', topics: [], groups: [], createTopics: true, resetOffsets: true }, d),
    ]) {
      let beats = 0;
      const started = Date.now();
      await assert.rejects(run({ ...deps, heartbeat: () => void beats++, heartbeatEveryMs: 100 } as typeof deps), (err: Error) => {
        assert.equal((err as { type?: string }).type, 'StepCommandFailed');
        assert.match(err.message, /^Kafka (export of|restore into) 127\.0\.0\.1:1 (not started|failed): could not connect: /);
        return true;
      });
      // kafkajs retries with backoff; while it does, the worker must look alive.
      assert.ok(beats >= Math.floor((Date.now() - started) / 100) - 2 && beats > 0, `${beats} heartbeats in ${Date.now() - started} ms`);
    }
  });
});
