// Tests that need a Temporal cluster of their own (to kill and restart it, or to configure it
// differently) start one on the test PostgreSQL with the same script as `npm start -- --cluster`.
// Only in the cluster profile (DR_TEST_TEMPORAL=cluster), where the server is built already.
import { join } from 'node:path';
import { ensurePostgres } from '../../scripts/lib/postgres.js';
import type { Supervisor } from '../../scripts/lib/process.js';
import { startTemporalCluster, type TemporalCluster } from '../../scripts/lib/temporal-cluster.js';
import type { ClusterTls } from '../../scripts/lib/temporal-cluster-config.js';
import { pgUrl, temporalAddress } from './services.js';

export const onCluster = process.env.DR_TEST_TEMPORAL === 'cluster';

/** `skip` for a test of `file`: false in the cluster profile, else the reason and the command to run it. */
export function skipUnlessCluster(file: string): false | string {
  return onCluster ? false : `needs a real Temporal server of its own: DR_TEST_TEMPORAL=cluster npm test -- ${file}`;
}

/**
 * The first of the ten ports of own-server slot `slot`: DR_TEST_OWN_CLUSTER_PORT (default the test
 * frontend's + 20) + 10 × `slot`. Slots: 0 the scale test, 1 the TLS test, 2 the chaos test (its
 * dev server, or its cluster in the cluster profile).
 */
export function ownServerPort(slot: number): number {
  const base = Number(process.env.DR_TEST_OWN_CLUSTER_PORT || Number(new URL(`http://${temporalAddress()}`).port) + 20);
  return base + 10 * slot;
}

/**
 * A cluster named `name` (its databases temporal_<name>, temporal_<name>_visibility, dropped first;
 * state in .state/test/<name>) on the ten ports of slot `slot` (ownServerPort).
 */
export async function startOwnCluster(name: string, slot: number, supervisor: Supervisor, tls?: ClusterTls): Promise<TemporalCluster> {
  const pg = new URL(pgUrl());
  return startTemporalCluster({
    stateDir: join(process.env.DR_TEST_STATE_DIR!, name),
    port: ownServerPort(slot),
    pg: { port: Number(pg.port), bindir: ensurePostgres() },
    databases: { temporal: `temporal_${name}`, visibility: `temporal_${name}_visibility` },
    supervisor,
    fresh: true,
    tls,
  });
}
