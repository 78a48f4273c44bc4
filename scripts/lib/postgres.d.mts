import type { Supervisor } from './process.mjs';
export declare function ensurePostgres(): string;
export interface LocalPostgres {
  url: string;
  port: number;
  dataDir: string;
  bindir: string;
  logFile: string;
  child: unknown;
  stop(): Promise<void>;
}
export declare function startPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  /** The name the supervisor reports it by (default postgres). */
  name?: string;
  supervisor?: Supervisor;
  logFile?: string;
  fast?: boolean;
  timeoutMs?: number;
}): Promise<LocalPostgres>;
