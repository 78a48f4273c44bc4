export interface LockChild {
  name: string;
  pid: number;
  /** A substring of the child's command line, to tell it from an unrelated process that reused its pid. */
  cmd?: string;
}
export interface LockData {
  pid: number;
  cmd?: string;
  startedAt: string;
  children: LockChild[];
  [key: string]: unknown;
}
export interface HeldLock {
  file: string;
  readonly data: LockData;
  update(patch: Partial<LockData>): void;
  release(): void;
}
export declare function processCommandLine(pid: number): string | undefined;
export declare function readLock(file: string): LockData | undefined;
export declare function lockOwnerAlive(lock: LockData | undefined): boolean;
export declare function cleanupStaleChildren(lock: LockData | undefined, log?: (message: string) => void): LockChild[];
export declare function acquireLock(
  file: string,
  info?: Record<string, unknown>,
  options?: { log?: (message: string) => void; cmd?: string },
): { ok: true; lock: HeldLock } | { ok: false; holder: LockData };
