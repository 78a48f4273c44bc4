import type { Supervisor } from './process.mjs';
export declare function temporalServerArgs(options: {
  dbFile: string;
  port: number;
  uiPort: number;
  namespace?: string;
  logLevel?: string;
  codecEndpoint?: string;
}): string[];
export interface TemporalServer {
  address: string;
  port: number;
  uiPort: number;
  uiUrl: string;
  namespace: string;
  cli: string;
  dbFile: string;
  logFile: string;
  child: unknown;
  stop(): Promise<void>;
}
export declare function startTemporal(options: {
  stateDir: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  cli?: string;
  supervisor?: Supervisor;
  fresh?: boolean;
  timeoutMs?: number;
  codecEndpoint?: string;
}): Promise<TemporalServer>;
