export declare function groupAlive(pgid: number): boolean;
export declare function pidAlive(pid: number): boolean;
/** Supervises services started in their own process groups (see process.mjs). */
export declare class Supervisor {
  constructor(options?: { onUnexpectedExit?: (child: unknown) => void });
  stopAll(): Promise<void>;
  killAllNow(): void;
  livePids(): { name: string; pid: number }[];
}
