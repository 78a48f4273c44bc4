// A Kafka cluster as the kafka.* activities reach it (kafkajs: pure JavaScript, Node 20): brokers
// and the SASL password may be references resolved here, on the worker; the export document's
// shape; and the name filters (`orders.*`) both activities apply.
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { z } from 'zod';
import type { KafkaConnection } from '../../runbook/model.js';
import type { Redactor } from '../secrets.js';

const { Kafka, logLevel } = kafkajs;
export type Admin = kafkajs.Admin;
export type KafkaClient = kafkajs.Kafka;

/** kafkajs's version, for manifests. */
export const KAFKAJS_VERSION: string = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

/** A client and an admin for the cluster; `brokers` shown without secrets. */
export function kafkaAdmin(conn: KafkaConnection, redactor: Redactor, env: NodeJS.ProcessEnv): { kafka: KafkaClient; admin: Admin; brokers: string[] } {
  const brokers = conn.brokers.flatMap((b) => redactor.resolve(b, env).split(',')).map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error('Expected `brokers` like ["kafka-1:9092"], got an empty list');
  for (const b of brokers) {
    if (!/^[^\s:/]+:\d+$/.test(b)) throw new Error(`Expected a broker as host:port, got ${JSON.stringify(b)}`);
  }
  const sasl = conn.sasl ? { mechanism: conn.sasl.mechanism, username: conn.sasl.username, password: redactor.resolve(conn.sasl.password, env) } : undefined;
  const kafka = new Kafka({
    clientId: 'easymo-dr',
    brokers,
    ssl: conn.ssl,
    // kafkajs's union type wants the mechanism as a literal per branch; the values are the same.
    sasl: sasl as kafkajs.SASLOptions | undefined,
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 3 },
    logLevel: logLevel.NOTHING,
  });
  return { kafka, admin: kafka.admin(), brokers };
}

const offset = z.string().regex(/^-?\d+$/);

/** The export: enough to recreate the topics and put every group back where it was. */
export const exportSchema = z.object({
  format: z.literal('easymo-dr/kafka-export'),
  version: z.literal(1),
  exportedAt: z.string(),
  clusterId: z.string().optional(),
  brokers: z.array(z.string()),
  topics: z.array(
    z.object({
      name: z.string(),
      partitions: z.number().int().min(1),
      replicationFactor: z.number().int().min(1),
      /** Topic-level overrides only (config source TOPIC_CONFIG); the rest are cluster defaults. */
      configs: z.record(z.string(), z.string()),
      offsets: z.array(z.object({ partition: z.number().int(), low: offset, high: offset })),
    }),
  ),
  groups: z.array(
    z.object({
      groupId: z.string(),
      protocolType: z.string(),
      state: z.string(),
      offsets: z.array(z.object({ topic: z.string(), partition: z.number().int(), offset })),
    }),
  ),
});
export type KafkaExport = z.infer<typeof exportSchema>;

/** A filter of names or globs (`*` any run of characters); an empty list lets everything through. */
export function nameFilter(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const res = patterns.map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return (name) => res.some((re) => re.test(name));
}

/** Internal topics (`__consumer_offsets`, `__transaction_state`, ...) belong to the cluster, not to us. */
export const isInternalTopic = (name: string): boolean => name.startsWith('__');
