export declare function findGo(env?: NodeJS.ProcessEnv): string | undefined;
export declare function goInstall(options: {
  what: string;
  version: string;
  /** Target path → Go package, all built at `version`. */
  binaries: Record<string, string>;
  toolchain?: string;
  hint: string;
  env?: NodeJS.ProcessEnv;
}): string[];
