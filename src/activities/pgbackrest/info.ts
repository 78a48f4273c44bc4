// `pgbackrest info --output=json` as the data a runbook step reads: each backup with its label,
// type, times and sizes, the latest one, and the WAL archive's range. Pure parsing, exported for tests.

export interface PgBackRestBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  /** ISO times the backup started and stopped (the restored data is consistent as of `stoppedAt`). */
  startedAt: string;
  stoppedAt: string;
  /** Database size and size in the repository (compressed, deduplicated), bytes. */
  sizeBytes: number;
  repoSizeBytes: number;
  /** First and last WAL segment the backup needs. */
  walStart: string;
  walStop: string;
  /** The backup this one depends on (diff / incr). */
  prior?: string;
  error: boolean;
}

export interface PgBackRestInfo {
  stanza: string;
  /** pgBackRest's stanza status: `ok`, or what is wrong ("no valid backups", "other", ...). */
  status: { code: number; message: string };
  /** Per-repository status: an unreachable or undecryptable repository shows here. */
  repoStatus: Array<{ code: number; message: string }>;
  cipher: string;
  pgVersion?: string;
  backups: PgBackRestBackup[];
  latest?: PgBackRestBackup;
  /** The WAL archive's first and last segment, the archive id (`15-1`). */
  archive?: { id: string; min: string; max: string };
}

interface RawBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  timestamp: { start: number; stop: number };
  info: { size: number; repository: { delta: number; size?: number } };
  archive: { start: string; stop: string };
  prior: string | null;
  error?: boolean;
}

interface RawStanza {
  name: string;
  status: { code: number; message: string };
  repo?: Array<{ status: { code: number; message: string } }>;
  cipher: string;
  db?: Array<{ version: string }>;
  backup?: RawBackup[];
  archive?: Array<{ id: string; min: string | null; max: string | null }>;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Parses the JSON of `pgbackrest info --output=json --stanza=<stanza>`. */
export function parseInfo(json: string, stanza: string): PgBackRestInfo {
  let raw: RawStanza[];
  try {
    // A status message can quote undecryptable bytes raw (control characters JSON does not allow).
    // eslint-disable-next-line no-control-regex -- exactly the characters JSON forbids unescaped
    raw = JSON.parse(json.replace(/[\u0000-\u001f]/g, ' ')) as RawStanza[];
  } catch {
    throw new Error(`Expected JSON from pgbackrest info, got ${JSON.stringify(json.length > 400 ? `${json.slice(0, 200)} ... ${json.slice(-200)}` : json)}`);
  }
  const s = raw.find((r) => r.name === stanza);
  if (!s) throw new Error(`pgbackrest info has no stanza "${stanza}" (found: ${raw.map((r) => r.name).join(', ') || 'none'})`);
  const backups = (s.backup ?? []).map(
    (b): PgBackRestBackup => ({
      label: b.label,
      type: b.type,
      startedAt: iso(b.timestamp.start),
      stoppedAt: iso(b.timestamp.stop),
      sizeBytes: b.info.size,
      repoSizeBytes: b.info.repository.size ?? b.info.repository.delta,
      walStart: b.archive.start,
      walStop: b.archive.stop,
      prior: b.prior ?? undefined,
      error: b.error ?? false,
    }),
  );
  const archive = (s.archive ?? []).filter((a) => a.min && a.max).at(-1);
  return {
    stanza,
    status: s.status,
    repoStatus: (s.repo ?? []).map((r) => r.status),
    cipher: s.cipher,
    pgVersion: s.db?.at(-1)?.version,
    backups,
    latest: backups.at(-1),
    archive: archive ? { id: archive.id, min: archive.min!, max: archive.max! } : undefined,
  };
}

/** The backup a point-in-time restore starts from: the newest one that stopped at or before `time`. */
export function backupBefore(backups: readonly PgBackRestBackup[], time: number): PgBackRestBackup | undefined {
  return [...backups].reverse().find((b) => !b.error && Date.parse(b.stoppedAt) <= time);
}
