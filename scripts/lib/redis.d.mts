import type { Supervisor } from './process.mjs';
export declare function ensureRedis(): string;
export declare function redisConfText(options: {
  port: number;
  dataDir: string;
  daemonize?: boolean;
  pidFile?: string;
  logFile?: string;
  appendonly?: boolean;
}): string;
export declare function writeRedisConf(options: {
  dataDir: string;
  port: number;
  fresh?: boolean;
  daemonize?: boolean;
  pidFile?: string;
  logFile?: string;
  appendonly?: boolean;
}): string;
export declare function redisPing(port: number, timeoutMs?: number): Promise<boolean>;
export interface LocalRedis {
  url: string;
  port: number;
  dataDir: string;
  confFile: string;
  logFile: string;
  child: unknown;
  stop(): Promise<void>;
}
export declare function startRedis(options: {
  dataDir: string;
  port: number;
  supervisor?: Supervisor;
  logFile?: string;
  fresh?: boolean;
  timeoutMs?: number;
}): Promise<LocalRedis>;
