// kafka.export: the seed's `kafka-topics --describe` and `kafka-consumer-groups --describe` as one
// JSON document a restore can act on: every topic with its partitions, replication factor and
// topic-level configs (plus the partitions' offsets, for reference), and every consumer group's
// committed offsets. Stored with its sha256; the manifest goes last.
import { Readable } from 'node:stream';
import { tierOf } from '../../runbook/retention.js';
import { backupFailure, newSetId, putObject, writeSetManifest, type KafkaManifest } from '../backup-sets.js';
import { activityHooks, cancellationError } from '../context.js';
import type { DataDeps, KafkaExportInput, KafkaExportResult } from '../data-types.js';
import { checkPrefix } from '../postgres/names.js';
import { Redactor } from '../secrets.js';
import { joinKey } from '../storage/store.js';
import { isInternalTopic, KAFKAJS_VERSION, kafkaAdmin, nameFilter, type Admin, type KafkaExport } from './connection.js';
import kafkajs from 'kafkajs';
import { asFailure, failure, FailureTypes, messageOf } from '../errors.js';

export const EXPORT_OBJECT = 'kafka.json';

export async function kafkaExport(input: KafkaExportInput, deps: DataDeps): Promise<KafkaExportResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  let admin: Admin;
  let brokers: string[];
  try {
    checkPrefix(input.prefix);
    ({ admin, brokers } = kafkaAdmin(input, redactor, hooks.env));
    await deps.store.check();
  } catch (err) {
    throw asFailure(err, 'Kafka export not started', redactor);
  }
  const what = `Kafka export of ${brokers.join(',')}`;
  // Beating from before the connect: kafkajs retries a broker that does not answer for longer than
  // the heartbeat timeout, which would end the step as a lost worker instead of "could not connect".
  const beat = setInterval(() => hooks.heartbeat({ elapsedMs: Date.now() - started }), deps.heartbeatEveryMs ?? 2_000);
  try {
    await admin.connect();
  } catch (err) {
    clearInterval(beat);
    throw failure(FailureTypes.StepCommandFailed, `${what} not started: could not connect: ${messageOf(err)}`, redactor);
  }
  let setKey: string | undefined;
  try {
    const doc = await describe(admin, input, brokers);
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);
    const createdAt = new Date((deps.now ?? Date.now)());
    const id = newSetId(createdAt, 'kafka');
    setKey = joinKey(input.prefix, id);
    const tier = tierOf(input.prefix);
    const storageClass = tier === 'monthly' || tier === 'annual' ? deps.coldStorageClass : undefined;
    const object = await putObject(deps.store, setKey, EXPORT_OBJECT, Readable.from([Buffer.from(JSON.stringify(doc, null, 2) + '\n')]), {
      signal: hooks.signal,
      storageClass,
    });
    const counts = {
      topics: doc.topics.length,
      partitions: doc.topics.reduce((n, t) => n + t.partitions, 0),
      groups: doc.groups.length,
      offsets: doc.groups.reduce((n, g) => n + g.offsets.length, 0),
    };
    const manifest: KafkaManifest = {
      version: 1,
      id,
      kind: 'kafka',
      prefix: input.prefix,
      createdAt: createdAt.toISOString(),
      completedAt: new Date().toISOString(),
      format: 'json',
      compression: 'none',
      source: { brokers },
      tools: { kafkajs: KAFKAJS_VERSION },
      kafka: counts,
      bytes: object.bytes,
      objects: [object],
      durationMs: Date.now() - started,
    };
    await writeSetManifest(deps.store, setKey, manifest);
    return { id, prefix: input.prefix, createdAt: manifest.createdAt, bytes: object.bytes, location: `${deps.store.location}/${setKey}`, ...counts, durationMs: Date.now() - started };
  } catch (err) {
    throw await backupFailure(err, { store: deps.store, setKey, signal: hooks.signal, what, redactor });
  } finally {
    clearInterval(beat);
    await admin.disconnect().catch(() => undefined);
  }
}

async function describe(admin: Admin, input: KafkaExportInput, brokers: string[]): Promise<KafkaExport> {
  const wantTopic = nameFilter(input.topics);
  const wantGroup = nameFilter(input.groups);
  const names = (await admin.listTopics()).filter((t) => !isInternalTopic(t) && wantTopic(t)).sort();
  const cluster = await admin.describeCluster();
  const metadata = names.length ? (await admin.fetchTopicMetadata({ topics: names })).topics : [];
  const configs = names.length
    ? (await admin.describeConfigs({ resources: names.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name })), includeSynonyms: false })).resources
    : [];
  const topics: KafkaExport['topics'] = [];
  for (const name of names) {
    const meta = metadata.find((m) => m.name === name);
    if (!meta) continue; // deleted while we looked
    const entries = configs.find((c) => c.resourceName === name)?.configEntries ?? [];
    const offsets = await admin.fetchTopicOffsets(name);
    topics.push({
      name,
      partitions: meta.partitions.length,
      replicationFactor: Math.max(1, ...meta.partitions.map((p) => p.replicas.length)),
      configs: Object.fromEntries(
        entries
          .filter((e) => e.configSource === kafkajs.ConfigSource.TOPIC_CONFIG && !e.isSensitive)
          .map((e) => [e.configName, e.configValue] as const)
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
      offsets: offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition),
    });
  }
  const exported = new Set(topics.map((t) => t.name));
  const overview = (await admin.listGroups()).groups.filter((g) => wantGroup(g.groupId)).sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  const states = overview.length ? (await admin.describeGroups(overview.map((g) => g.groupId))).groups : [];
  const groups: KafkaExport['groups'] = [];
  for (const g of overview) {
    const committed = await admin.fetchOffsets({ groupId: g.groupId });
    const offsets = committed
      .filter((t) => exported.has(t.topic))
      .flatMap((t) => t.partitions.filter((p) => p.offset !== '-1').map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    groups.push({ groupId: g.groupId, protocolType: g.protocolType, state: states.find((s) => s.groupId === g.groupId)?.state ?? 'Unknown', offsets });
  }
  return { format: 'easymo-dr/kafka-export', version: 1, exportedAt: new Date().toISOString(), clusterId: cluster.clusterId, brokers, topics, groups };
}
