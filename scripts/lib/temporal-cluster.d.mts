import type { LocalPostgres } from './postgres.mjs';
import type { Supervisor } from './process.mjs';
import type { ClusterPorts, ClusterTls } from './temporal-cluster-config.mjs';
export interface TemporalCluster {
  address: string;
  port: number;
  uiPort: number | undefined;
  uiUrl: string | undefined;
  namespace: string;
  cli: string;
  ports: ClusterPorts;
  logFile: string;
  readonly child: unknown;
  uiChild: unknown;
  /** Stops the server (SIGTERM, or SIGKILL as when its machine is lost) and starts it again on the same data. */
  restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  stop(): Promise<void>;
}
export declare function startTemporalCluster(options: {
  stateDir: string;
  port: number;
  uiPort?: number;
  portBase?: number;
  /** The PostgreSQL server to keep Temporal's databases in (startPostgres's result will do). */
  pg: Pick<LocalPostgres, 'port' | 'bindir'>;
  namespace?: string;
  databases?: { temporal: string; visibility: string };
  codecEndpoint?: string;
  supervisor?: Supervisor;
  fresh?: boolean;
  cli?: string;
  /** Certificate and key files: the cluster requires mTLS (no UI server then). */
  tls?: ClusterTls;
  timeoutMs?: number;
}): Promise<TemporalCluster>;
