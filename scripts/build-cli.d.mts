export declare const SOURCE_DIR: string;
export declare const OUT_DIR: string;
export declare const STAMP: string;
export declare function listSources(root?: string): string[];
export declare function sha1(text: string): string;
export declare function buildCli(root?: string): Promise<{ files: number; ms: number }>;
export declare function staleReason(root?: string): string | undefined;
