export declare function isPortFree(port: number, host?: string): Promise<boolean>;
export declare function describePortHolder(port: number): string | undefined;
export declare function assertPortsFree(ports: { port: number; what: string }[], hint?: string): Promise<void>;
