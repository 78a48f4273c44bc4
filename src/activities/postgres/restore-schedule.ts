// Runs a restore's work items on a fixed number of sessions: an item starts once the items it waits
// for are done, enough sessions are free and no running item holds a conflicting lock on one of
// its tables (ALTER TABLE takes its table alone; index builds share it). Among the ready items, the
// one with the longest chain of work behind it goes first (its cost plus that of the longest chain
// of items waiting on it), so what unblocks the most starts soonest; but an item that takes its
// table alone lets ready work sharing that table go before it. The first failure stops the
// others; the call rejects with it once all have stopped.

export interface ScheduleItem {
  /** Unique; what `after` refers to and what errors and progress name. */
  name: string;
  /** Sessions it occupies while it runs. */
  slots: number;
  after: string[];
  locks: Array<{ table: string; exclusive: boolean }>;
  /** An estimate of its duration, in any unit shared by all items. */
  cost: number;
  run: (signal: AbortSignal) => Promise<void>;
}

/** Runs every item; `onChange` is told the names of the running items whenever they change. */
export function runSchedule(items: ScheduleItem[], jobs: number, signal?: AbortSignal, onChange: (running: string[]) => void = () => undefined): Promise<void> {
  const names = new Set(items.map((i) => i.name));
  for (const item of items) {
    const unknown = item.after.find((a) => !names.has(a));
    if (unknown !== undefined) return Promise.reject(new Error(`restore schedule: ${item.name} waits for ${unknown}, which is not part of the restore`));
  }
  // Longest chain from each item to the end (items waiting on items form no cycle once checked below).
  const chain = new Map<string, number>();
  const followers = new Map<string, ScheduleItem[]>(items.map((i) => [i.name, []]));
  for (const item of items) for (const a of item.after) followers.get(a)!.push(item);
  const rank = (item: ScheduleItem, depth = 0): number => {
    if (depth > items.length) throw new Error(`restore schedule: ${item.name} waits on itself`);
    let r = chain.get(item.name);
    if (r === undefined) chain.set(item.name, (r = item.cost + Math.max(0, ...followers.get(item.name)!.map((f) => rank(f, depth + 1)))));
    return r;
  };
  try {
    items.forEach((i) => rank(i));
  } catch (err) {
    return Promise.reject(err as Error);
  }
  const waiting = [...items].sort((a, b) => chain.get(b.name)! - chain.get(a.name)!);
  const running = new Map<string, ScheduleItem>();
  const done = new Set<string>();
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let free = jobs;
  let failure: { error: unknown } | undefined;
  const conflicts = (item: ScheduleItem) =>
    item.locks.some((l) => [...running.values()].some((r) => r.locks.some((m) => m.table === l.table && (m.exclusive || l.exclusive))));
  const ready = (item: ScheduleItem) => item.after.every((a) => done.has(a)) && !conflicts(item);
  // An item taking its table alone waits while work sharing that table could start (work taking no
  // table alone, so it never waits in turn and something always starts): the shared work
  // fills every session, the exclusive item one, leaving the others idle (a foreign key's check
  // ahead of its table's index builds did: 2.8 s on one of 2 sessions, 1 GB EasyMO).
  const deferred = (item: ScheduleItem) =>
    item.locks.some((l) => l.exclusive && waiting.some((o) => o.locks.some((m) => m.table === l.table) && o.locks.every((m) => !m.exclusive) && ready(o)));

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
        if (!ready(item) || deferred(item)) {
          i++;
          continue;
        }
        // The first ready item waits for its sessions rather than see them taken by lesser ones.
        if (slots > free) break;
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
