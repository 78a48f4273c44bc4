// RPO achieved: how much data a run's restores could not bring back — the incident time minus the
// creation time of the backup restored, or, for a point-in-time restore (pgbackrest.restore), minus
// the last transaction the restored server replayed (measured on it). Found in the restore steps'
// outputs (sub-runs included).

export interface RpoEvidence {
  /** Incident time minus the restored backup's creation time; the largest over all restores. */
  achievedMs: number;
  backupId?: string;
  backupCreatedAt?: string;
  /** Point-in-time restores: the last transaction recovered, read from the restored server. */
  lastTransactionAt?: string;
  /** The step whose output carried it (`restore`, or `restore/restore-db` inside a sub-run). */
  step: string;
}

type Found = Omit<RpoEvidence, 'step'>;

/**
 * Reads one output: pgbackrest.restore (`rpo.achievedMs`, measured), postgres.restore
 * (`backupAgeMs`, `backup`) or redis/kafka (`backup.ageMs`).
 */
function evidenceIn(output: unknown): Found | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as {
    backupAgeMs?: unknown;
    backup?: { id?: unknown; createdAt?: unknown; ageMs?: unknown };
    rpo?: { achievedMs?: unknown; lastTransactionAt?: unknown };
  };
  if (typeof o.rpo?.achievedMs === 'number' && typeof o.rpo.lastTransactionAt === 'string') {
    return {
      achievedMs: o.rpo.achievedMs,
      backupId: typeof o.backup?.id === 'string' ? o.backup.id : undefined,
      backupCreatedAt: typeof o.backup?.createdAt === 'string' ? o.backup.createdAt : undefined,
      lastTransactionAt: o.rpo.lastTransactionAt,
    };
  }
  const ageMs = typeof o.backupAgeMs === 'number' ? o.backupAgeMs : typeof o.backup?.ageMs === 'number' ? o.backup.ageMs : undefined;
  if (ageMs === undefined) return undefined;
  return {
    achievedMs: ageMs,
    backupId: typeof o.backup?.id === 'string' ? o.backup.id : undefined,
    backupCreatedAt: typeof o.backup?.createdAt === 'string' ? o.backup.createdAt : undefined,
  };
}

/** The RPO a run achieved, from its steps' outputs; undefined when it restored nothing. */
export function rpoAchieved(steps: ReadonlyArray<{ id: string; output?: unknown }>): RpoEvidence | undefined {
  let worst: RpoEvidence | undefined;
  const consider = (step: string, found: Found | undefined) => {
    if (found && (worst === undefined || found.achievedMs > worst.achievedMs)) worst = { ...found, step };
  };
  for (const step of steps) {
    consider(step.id, evidenceIn(step.output));
    // A sub-runbook's output carries its steps' outputs.
    const outputs = (step.output as { outputs?: Record<string, unknown> } | undefined)?.outputs;
    if (outputs && typeof outputs === 'object') {
      for (const [child, output] of Object.entries(outputs)) consider(`${step.id}/${child}`, evidenceIn(output));
    }
  }
  return worst;
}
