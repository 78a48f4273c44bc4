export declare const TEST_FILE_SUFFIX: '.test.ts';
export declare function listTestFiles(dir: string): string[];
export declare function findTestFiles(root: string, paths?: string[]): string[];
export declare const CLUSTER_PROFILE: readonly string[];
export declare function clusterProfileFiles(root: string): string[];
