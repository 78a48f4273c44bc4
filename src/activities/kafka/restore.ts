// kafka.restore: from an export, recreate the topics that are missing (partitions, replication,
// topic configs) and put every consumer group's committed offsets back. Offsets can only be set
// while a group has no members, so every group is checked before anything changes; an offset
// outside a partition's current log (a recreated topic is empty) is clamped into it and reported.
import { Writable } from 'node:stream';
import kafkajs from 'kafkajs';
import { findSet, readVerified, restoredFrom } from '../backup-sets.js';
import { activityHooks, cancellationError } from '../context.js';
import type { DataDeps, KafkaRestoreInput, KafkaRestoreResult } from '../data-types.js';
import { checkBackupRef, checkPrefix } from '../postgres/names.js';
import { Redactor } from '../secrets.js';
import { exportSchema, kafkaAdmin, nameFilter, type Admin, type KafkaClient, type KafkaExport } from './connection.js';
import { EXPORT_OBJECT } from './export.js';
import { asFailure, messageOf } from '../errors.js';

// A group in any of these states has no members: its offsets may be changed.
const INACTIVE = new Set(['Empty', 'Dead']);

export async function kafkaRestore(input: KafkaRestoreInput, deps: DataDeps): Promise<KafkaRestoreResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  const incidentAt = input.incidentAt ? new Date(input.incidentAt) : new Date((deps.now ?? Date.now)());
  let kafka: KafkaClient;
  let admin: Admin;
  let brokers: string[];
  try {
    checkPrefix(input.prefix);
    checkBackupRef(input.backup);
    ({ kafka, admin, brokers } = kafkaAdmin(input, redactor, hooks.env));
  } catch (err) {
    throw asFailure(err, 'Kafka restore not started', redactor);
  }
  const what = `Kafka restore into ${brokers.join(',')}`;
  const beat = setInterval(() => hooks.heartbeat({ elapsedMs: Date.now() - started }), deps.heartbeatEveryMs ?? 2_000);
  try {
    const set = await findSet(deps.store, 'kafka', input.prefix, input.backup, incidentAt);
    const object = set.manifest.objects.find((o) => o.name === EXPORT_OBJECT) ?? set.manifest.objects[0]!;
    const doc = await readExport(deps, set.key, object, hooks.signal);
    const wantTopic = nameFilter(input.topics);
    const wantGroup = nameFilter(input.groups);
    const topics = doc.topics.filter((t) => wantTopic(t.name));
    const groups = doc.groups.filter((g) => wantGroup(g.groupId)).map((g) => ({ ...g, offsets: g.offsets.filter((o) => wantTopic(o.topic)) }));

    try {
      await admin.connect();
    } catch (err) {
      throw new Error(`could not connect: ${messageOf(err)}`);
    }
    // Before any change: every group whose offsets we reset must be without members.
    if (input.resetOffsets && groups.length > 0) {
      const described = (await admin.describeGroups(groups.map((g) => g.groupId))).groups;
      const active = described.filter((d) => !INACTIVE.has(d.state));
      if (active.length > 0) {
        const list = active.map((d) => `${d.groupId} (${d.state}, ${d.members.length} member${d.members.length === 1 ? '' : 's'})`).join(', ');
        throw new Error(`consumer groups are active, stop their consumers first: ${list}. Nothing was changed`);
      }
    }

    const present = new Set(await admin.listTopics());
    const created: string[] = [];
    const existing: KafkaRestoreResult['existing'] = [];
    const missing = topics.filter((t) => !present.has(t.name));
    if (input.createTopics && missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: input.replicationFactor ?? t.replicationFactor,
          configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
        })),
      });
      created.push(...missing.map((t) => t.name));
    }
    const kept = topics.filter((t) => present.has(t.name));
    if (kept.length > 0) existing.push(...(await differences(admin, kept)));

    const offsets: KafkaRestoreResult['offsets'] = [];
    if (input.resetOffsets) {
      const ranges = new Map<string, Map<number, { low: bigint; high: bigint }>>();
      const rangeOf = async (topic: string) => {
        if (!ranges.has(topic)) ranges.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }])));
        return ranges.get(topic)!;
      };
      const now = new Set(await admin.listTopics());
      for (const group of groups) {
        const clamped: string[] = [];
        const commits: Array<{ topic: string; partition: number; offset: string }> = [];
        const byTopic = new Map<string, typeof group.offsets>();
        for (const o of group.offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
        for (const [topic, entries] of byTopic) {
          if (!now.has(topic)) {
            clamped.push(`${topic}: topic does not exist, offsets not set`);
            continue;
          }
          const range = await rangeOf(topic);
          for (const e of entries) {
            const r = range.get(e.partition);
            if (!r) {
              clamped.push(`${topic}[${e.partition}]: no such partition`);
              continue;
            }
            const want = BigInt(e.offset);
            const offset = want < r.low ? r.low : want > r.high ? r.high : want;
            if (offset !== want) clamped.push(`${topic}[${e.partition}]: ${want} → ${offset} (log holds ${r.low}-${r.high})`);
            commits.push({ topic, partition: e.partition, offset: offset.toString() });
          }
        }
        if (commits.length > 0) await commitAsGroup(kafka, group.groupId, commits);
        offsets.push({ group: group.groupId, partitions: commits.length, clamped });
      }
    }
    return {
      backup: restoredFrom(deps.store, set, incidentAt),
      created,
      existing,
      offsets,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);
    throw asFailure(err, `${what} failed`, redactor);
  } finally {
    clearInterval(beat);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Commits offsets for an empty group by joining it for a moment: one join per group (~0.2 s),
 * where kafkajs's admin.setOffsets consumes a fetch cycle per topic (~5 s each).
 */
export async function commitAsGroup(kafka: KafkaClient, groupId: string, offsets: Array<{ topic: string; partition: number; offset: string }>): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, rebalanceTimeout: 10_000, retry: { retries: 2 } });
  let timer: NodeJS.Timeout | undefined;
  try {
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      timer = setTimeout(() => reject(new Error(`could not join consumer group ${groupId} within 30 s to commit its offsets`)), 30_000);
    });
    await consumer.connect();
    await consumer.subscribe({ topics });
    // Nothing is consumed or committed on its own: paused at once, no auto-commit.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets(offsets);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}

async function readExport(deps: DataDeps, setKey: string, object: { name: string; bytes: number; sha256: string }, signal?: AbortSignal): Promise<KafkaExport> {
  const chunks: Buffer[] = [];
  await readVerified(deps.store, setKey, object, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), { signal });
  const parsed = exportSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  if (!parsed.success) throw new Error(`${setKey}/${object.name} is not a Kafka export: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** What differs between the export and a topic that already exists (left unchanged, reported). */
async function differences(admin: Admin, topics: KafkaExport['topics']): Promise<KafkaRestoreResult['existing']> {
  const names = topics.map((t) => t.name);
  const metadata = (await admin.fetchTopicMetadata({ topics: names })).topics;
  const configs = (await admin.describeConfigs({ resources: names.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name })), includeSynonyms: false })).resources;
  return topics.map((t) => {
    const diffs: string[] = [];
    const meta = metadata.find((m) => m.name === t.name);
    if (meta && meta.partitions.length !== t.partitions) diffs.push(`partitions: ${meta.partitions.length}, export has ${t.partitions}`);
    const live = new Map((configs.find((c) => c.resourceName === t.name)?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
    for (const [name, value] of Object.entries(t.configs)) {
      if (live.get(name) !== value) diffs.push(`${name}: ${live.get(name) ?? '(unset)'}, export has ${value}`);
    }
    return { topic: t.name, differences: diffs };
  });
}
