// Continuity of the WAL archive: a point-in-time restore replays every segment from the backup's
// first one onwards, so a missing segment means recovery stops there. Found from the repository's
// listing before anything is restored. Pure, exported for tests.

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(?:-[0-9a-f]{40})?(?:\.[a-z0-9]+)?$/;

/** Timeline and position (log * 256 + seg, for 16 MB segments) of a WAL file name; undefined for other files. */
export function segmentOf(name: string): { timeline: string; n: number; name: string } | undefined {
  const m = SEGMENT.exec(name.split('/').at(-1) ?? '');
  if (!m) return undefined;
  return { timeline: m[1]!, n: parseInt(m[2]!, 16) * 256 + parseInt(m[3]!, 16), name: `${m[1]}${m[2]}${m[3]}` };
}

const nameOf = (timeline: string, n: number) =>
  `${timeline}${Math.floor(n / 256).toString(16).toUpperCase().padStart(8, '0')}${(n % 256).toString(16).toUpperCase().padStart(8, '0')}`;

/**
 * The first segment missing on `from`'s timeline between `from` and the newest archived one
 * (or `until` when given, which must itself be there); undefined when the range is complete.
 */
export function firstMissingSegment(files: readonly string[], from: string, until?: string): string | undefined {
  const start = segmentOf(from);
  if (!start) throw new Error(`Expected a WAL segment name like 000000010000000000000003, got ${JSON.stringify(from)}`);
  const have = new Set(files.map(segmentOf).filter((s) => s?.timeline === start.timeline).map((s) => s!.n));
  const end = until ? segmentOf(until)!.n : Math.max(start.n, ...have);
  for (let n = start.n; n <= end; n++) if (!have.has(n)) return nameOf(start.timeline, n);
  return undefined;
}
