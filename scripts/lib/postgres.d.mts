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
  supervisor?: Supervisor;
  logFile?: string;
  fast?: boolean;
  timeoutMs?: number;
}): Promise<LocalPostgres>;
