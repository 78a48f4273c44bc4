// Kafka's admin scripts (kafka-topics, kafka-consumer-groups, ...), with or without `.sh`.
import { changesState, destructive, readOnly } from '../../runbook/effect.js';
import type { ProgramClassifier } from '../types.js';
import { quote } from '../types.js';

/** Per tool: options that only read, options that destroy (with reasons); anything else changes. */
const TOOLS: Record<string, { read: string[]; destroy: Record<string, string>; plan?: string }> = {
  'kafka-topics': { read: ['--list', '--describe', '--version'], destroy: { '--delete': 'deletes topics' } },
  // --reset-offsets only plans unless --execute is given.
  'kafka-consumer-groups': { read: ['--list', '--describe', '--version'], destroy: { '--delete': 'deletes consumer groups', '--delete-offsets': 'deletes committed offsets' }, plan: '--reset-offsets' },
  'kafka-configs': { read: ['--describe', '--version'], destroy: {} },
  'kafka-acls': { read: ['--list'], destroy: { '--remove': 'removes ACLs' } },
  'kafka-reassign-partitions': { read: ['--verify', '--generate'], destroy: {} },
  'kafka-log-dirs': { read: ['--describe'], destroy: {} },
  'kafka-delete-records': { read: [], destroy: { '--offset-json-file': 'deletes records' } },
  'kafka-leader-election': { read: [], destroy: {} },
  'kafka-console-producer': { read: [], destroy: {} },
};
const ALWAYS_READ = ['kafka-console-consumer', 'kafka-broker-api-versions', 'kafka-get-offsets', 'kafka-run-class', 'kafka-metadata-quorum', 'kafka-cluster', 'kafka-dump-log'];

function tool(name: string): ProgramClassifier {
  const rules = TOOLS[name];
  return (c) => {
    const flags = c.args.slice(1).map((a) => a.text.replace(/=.*/, ''));
    const shown = quote(c.display);
    if (!rules) return name === 'kafka-run-class' ? changesState(`${shown} runs an arbitrary class`) : readOnly(`${shown} only reads`);
    for (const [flag, why] of Object.entries(rules.destroy)) if (flags.includes(flag)) return destructive(`${shown} ${why}`);
    if (rules.plan && flags.includes(rules.plan)) return flags.includes('--execute') ? changesState(`${shown} moves consumer offsets`) : readOnly(`${shown} only plans (no --execute)`);
    if (rules.read.some((f) => flags.includes(f))) return readOnly(`${shown} only reads`);
    return changesState(`${shown} changes the cluster`);
  };
}

export const KAFKA: Record<string, ProgramClassifier> = Object.fromEntries(
  [...Object.keys(TOOLS), ...ALWAYS_READ].flatMap((name) => [
    [name, tool(name)],
    [`${name}.sh`, tool(name)],
  ]),
);
