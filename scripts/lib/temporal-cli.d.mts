export declare const TEMPORAL_CLI_VERSION: string;
export declare function temporalCliCachePath(env?: NodeJS.ProcessEnv): string;
export declare function temporalCliVersion(path: string): string | undefined;
export declare function ensureTemporalCli(env?: NodeJS.ProcessEnv): string;
