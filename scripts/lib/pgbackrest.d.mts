export declare function ensurePgBackRest(): string;
export declare function pgBackRestVersion(bin?: string): string | undefined;
