export declare function nodeModulesStaleReason(root?: string): string | undefined;
export declare function ensureNodeModules(root?: string): void;
