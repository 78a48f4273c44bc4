import type { Supervisor } from './process.mjs';
export declare const VERSITYGW_VERSION: string;
export declare function versitygwCachePath(env?: NodeJS.ProcessEnv): string;
export declare function ensureS3Server(env?: NodeJS.ProcessEnv): string;
export interface LocalS3 {
  endpoint: string;
  port: number;
  dataDir: string;
  accessKey: string;
  secretKey: string;
  buckets: string[];
  /** The self-signed certificate, with `tls`. */
  caFile?: string;
  logFile: string;
  child: unknown;
  stop(): Promise<void>;
}
export declare function startS3(options: {
  dataDir: string;
  port: number;
  buckets?: string[];
  accessKey?: string;
  secretKey?: string;
  supervisor?: Supervisor;
  logFile?: string;
  fresh?: boolean;
  tls?: boolean;
  timeoutMs?: number;
}): Promise<LocalS3>;
export declare function selfSignedCert(dir: string): { cert: string; key: string };
