export declare const REPO_ROOT: string;
export declare function cacheDir(env?: NodeJS.ProcessEnv): string;
export declare function say(message: string): void;
export declare function sleep(ms: number): Promise<void>;
export declare function tailFile(file: string | undefined, lines?: number): string;
export declare function indent(text: string, prefix?: string): string;
export declare function waitUntil<T>(
  probe: () => T | Promise<T>,
  options: { timeoutMs: number; intervalMs?: number; what: string; abort?: () => string | undefined },
): Promise<NonNullable<T>>;
export declare function isRoot(): boolean;
