// Named scenario workflows: one workflow type per built-in runbook, so the UI's Start Workflow
// needs only `{"mode": "drill"}`. Each is the generic interpreter with its runbook id filled in.
import type { RunReport } from '../runbook/run.js';
import type { ScenarioInput } from './messages.js';
import { runbook } from './runbook.js';

/** Scenario 1 of the DR plan: complete database loss (RTO 4h, RPO 24h). */
export async function databaseLoss(input: ScenarioInput = {}): Promise<RunReport> {
  return runbook({ ...input, runbook: 'database-loss' });
}

/** Scenario 2: service outage, several services down (RTO 1h, RPO 5m). */
export async function serviceOutage(input: ScenarioInput = {}): Promise<RunReport> {
  return runbook({ ...input, runbook: 'service-outage' });
}

/** Scenario 3: security breach. */
export async function securityBreach(input: ScenarioInput = {}): Promise<RunReport> {
  return runbook({ ...input, runbook: 'security-breach' });
}

/** Backup of a PostgreSQL database into the backup store (daily by default; weekly/monthly by input). */
export async function databaseBackup(input: ScenarioInput = {}): Promise<RunReport> {
  return runbook({ ...input, runbook: 'database-backup' });
}

/** Restore of a backup (latest before the incident, or an id), whole or some tables, then verification. */
export async function databaseRestore(input: ScenarioInput = {}): Promise<RunReport> {
  return runbook({ ...input, runbook: 'database-restore' });
}

/** The seed's monthly restore test: latest backup restored to staging and validated. */
export async function restoreTest(input: ScenarioInput = {}): Promise<RunReport> {
  return runbook({ ...input, runbook: 'restore-test' });
}

/** The seed's quarterly full DR drill (scenario 1 in drill mode, then the review). */
export async function drDrill(input: ScenarioInput = {}): Promise<RunReport> {
  return runbook({ mode: 'drill', ...input, runbook: 'dr-drill' });
}
