// Runs a restore's work items on a fixed number of sessions: an item starts once the items it waits
// for are done, enough sessions are free and no running item holds a conflicting lock on one of
// its tables (ALTER TABLE takes its table alone; index builds share it). The most costly ready item
// goes first. The first failure stops the others; the call rejects with it once all have stopped.

export interface ScheduleItem {
  /** Unique; what `after` refers to and what errors and progress name. */
  name: string;
  /** Sessions it occupies while it runs. */
  slots: number;
  after: string[];
  locks: Array<{ table: string; exclusive: boolean }>;
  /** Higher first among the ready items (an estimate of its cost). */
  priority: number;
  run: (signal: AbortSignal) => Promise<void>;
}

/** Runs every item; `onChange` is told the names of the running items whenever they change. */
export function runSchedule(items: ScheduleItem[], jobs: number, signal?: AbortSignal, onChange: (running: string[]) => void = () => undefined): Promise<void> {
  const names = new Set(items.map((i) => i.name));
  for (const item of items) {
    const unknown = item.after.find((a) => !names.has(a));
    if (unknown !== undefined) return Promise.reject(new Error(`restore schedule: ${item.name} waits for ${unknown}, which is not part of the restore`));
  }
  const waiting = [...items].sort((a, b) => b.priority - a.priority);
  const running = new Map<string, ScheduleItem>();
  const done = new Set<string>();
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let free = jobs;
  let failure: { error: unknown } | undefined;
  const conflicts = (item: ScheduleItem) =>
    item.locks.some((l) => [...running.values()].some((r) => r.locks.some((m) => m.table === l.table && (m.exclusive || l.exclusive))));

  return new Promise<void>((resolve, reject) => {
    const settle = () => {
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure.error);
      else resolve();
    };
    const pump = () => {
      if (failure || stop.signal.aborted) {
        failure ??= { error: stop.signal.reason };
        if (running.size === 0) settle();
        return;
      }
      for (let i = 0; i < waiting.length; ) {
        const item = waiting[i]!;
        const slots = Math.max(1, Math.min(item.slots, jobs));
        if (slots > free || !item.after.every((a) => done.has(a)) || conflicts(item)) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        free -= slots;
        running.set(item.name, item);
        item
          .run(stop.signal)
          .then(
            () => void done.add(item.name),
            (error: unknown) => {
              failure ??= { error };
              stop.abort(error);
            },
          )
          .finally(() => {
            running.delete(item.name);
            free += slots;
            onChange([...running.keys()]);
            pump();
          });
      }
      onChange([...running.keys()]);
      if (running.size === 0) {
        if (waiting.length) failure = { error: new Error(`restore schedule: nothing can start; waiting: ${waiting.map((w) => w.name).join(', ')}`) };
        settle();
      }
    };
    pump();
  });
}
