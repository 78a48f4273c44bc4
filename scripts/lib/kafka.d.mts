import type { Supervisor } from './process.mjs';
export declare const KAFKA_VERSION: string;
export declare const KAFKA_JVM_OPTIONS: string[];
export declare function kafkaCacheDir(env?: NodeJS.ProcessEnv): string;
export declare function kafkaPom(version?: string): string;
export declare function ensureKafka(env?: NodeJS.ProcessEnv): { libs: string; log4jConfig: string };
export declare function kafkaServerProperties(options: { port: number; controllerPort: number; logDir: string }): string;
export declare function sharedArchive(libs: string, dir?: string): { use: string; dump?: undefined } | { dump: string; use?: undefined };
export declare function kafkaReady(port: number, timeoutMs?: number): Promise<boolean>;
export interface LocalKafka {
  brokers: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  child: unknown;
  stop(): Promise<void>;
  tail(): string;
}
export declare function startKafka(options: {
  dataDir: string;
  port: number;
  controllerPort?: number;
  supervisor?: Supervisor;
  logFile?: string;
  fresh?: boolean;
  timeoutMs?: number;
}): Promise<LocalKafka>;
