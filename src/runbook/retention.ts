// Backup retention, the seed's policy as a pure function: daily backups are kept 30 days, weekly
// 3 months, monthly 1 year, and the newest monthly of each calendar year (the annual one) 7 years.
// The tier of a backup is the last segment of its prefix (`daily`, `agent-core/weekly`, ...); a backup
// under any other prefix (`pre-migration`) is not governed by the policy and is always kept.

const DAY_MS = 86_400_000;

export const TIERS = ['daily', 'weekly', 'monthly', 'annual'] as const;
export type Tier = (typeof TIERS)[number];

/** How long each tier is kept, in milliseconds of age. */
export type RetentionPolicy = Record<Tier, number>;

/** The seed's policy: daily 30 days, weekly 3 months, monthly 1 year, annual 7 years. */
export const SEED_POLICY: RetentionPolicy = {
  daily: 30 * DAY_MS,
  weekly: 90 * DAY_MS,
  monthly: 365 * DAY_MS,
  annual: 7 * 365 * DAY_MS,
};

/** What retention needs to know about one complete backup (one with a manifest). */
export interface RetainedBackup {
  id: string;
  prefix: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Every object is present with the manifest's size: the backup can be restored. */
  verified: boolean;
  /** Backups of the same source database; the newest verified one of each is never deleted. */
  series: string;
}

export interface RetentionDecision {
  keep: string[];
  delete: string[];
  /** Why each backup is kept or deleted, e.g. "daily, 12d old: kept for 30d". */
  reasons: Record<string, string>;
}

/** The retention tier of a prefix: its last segment when that names a tier. */
export function tierOf(prefix: string): Tier | undefined {
  const last = prefix.split('/').filter(Boolean).pop();
  return (TIERS as readonly string[]).includes(last ?? '') ? (last as Tier) : undefined;
}

function days(ms: number): string {
  return `${Math.floor(ms / DAY_MS)}d`;
}

/**
 * Which backups to keep and which to delete at `now`. A backup is kept when any rule keeps it:
 * its tier's window, the annual rule, being the newest verified backup of its series, having no
 * tier, or being dated in the future (a clock to investigate, not a backup to lose).
 */
export function retention(backups: readonly RetainedBackup[], policy: RetentionPolicy, now: number): RetentionDecision {
  const newestVerified = new Map<string, RetainedBackup>();
  const newestOfYear = new Map<string, RetainedBackup>();
  for (const b of backups) {
    if (b.verified && isNewer(b, newestVerified.get(b.series))) newestVerified.set(b.series, b);
    const tier = tierOf(b.prefix);
    const age = now - b.createdAt;
    // Only backups still inside the annual window compete: otherwise a year's pick could be one
    // already past it, and a younger backup of that year that the rule should keep would go too.
    if ((tier === 'monthly' || tier === 'annual') && age >= 0 && age <= policy.annual) {
      const key = `${b.series}\u0000${new Date(b.createdAt).getUTCFullYear()}`;
      if (isBetterAnnual(b, newestOfYear.get(key))) newestOfYear.set(key, b);
    }
  }
  const keep: string[] = [];
  const del: string[] = [];
  const reasons: Record<string, string> = {};
  for (const b of backups) {
    const age = now - b.createdAt;
    const tier = tierOf(b.prefix);
    const year = new Date(b.createdAt).getUTCFullYear();
    let reason: string | undefined;
    if (age < 0) reason = `dated in the future (${new Date(b.createdAt).toISOString()}): kept`;
    else if (tier === undefined) reason = `prefix "${b.prefix}" has no retention tier (${TIERS.join(', ')}): kept`;
    else if (age <= policy[tier]) reason = `${tier}, ${days(age)} old: kept for ${days(policy[tier])}`;
    else if (tier === 'monthly' && newestOfYear.get(`${b.series}\u0000${year}`) === b && age <= policy.annual) {
      reason = `annual (newest monthly of ${year}), ${days(age)} old: kept for ${days(policy.annual)}`;
    } else if (newestVerified.get(b.series) === b) reason = `newest verified backup of ${b.series}: kept`;
    if (reason !== undefined) {
      keep.push(b.id);
      reasons[b.id] = reason;
    } else {
      del.push(b.id);
      reasons[b.id] = `${tier}, ${days(age)} old: past ${days(policy[tier!])}`;
    }
  }
  return { keep, delete: del, reasons };
}

// Ties on time are broken by id, so the choice does not depend on the order of the list.
function isNewer(a: RetainedBackup, than: RetainedBackup | undefined): boolean {
  return than === undefined || a.createdAt > than.createdAt || (a.createdAt === than.createdAt && a.id > than.id);
}

// The annual backup of a year: the newest verified monthly one, or the newest when none is verified.
function isBetterAnnual(a: RetainedBackup, than: RetainedBackup | undefined): boolean {
  if (than === undefined || a.verified !== than.verified) return than === undefined || a.verified;
  return isNewer(a, than);
}

/** Of the sets without a manifest (interrupted backups), those whose newest object is older than `graceMs`. */
export function staleIncompleteSets(sets: ReadonlyArray<{ key: string; newestObjectAt: number }>, graceMs: number, now: number): string[] {
  // A backup still being written has no manifest yet either: only sets left alone for the grace period go.
  return sets.filter((s) => now - s.newestObjectAt > graceMs).map((s) => s.key);
}
