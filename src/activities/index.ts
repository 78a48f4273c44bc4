// The activities the worker registers, built from explicit dependencies so tests can pass their own
// configuration and environment (samples: activities-dependency-injection): one per system action
// (named by the action registry, implemented in registry.ts), plus loading runbooks and storing reports.
import { ACTION_RUNTIME, SYSTEM_KINDS, type ActivityOf, type SystemKind } from '../runbook/action-runtime.js';
import { loadRunbook } from './load.js';
import { implementations, type ActivityDeps, type Implementations } from './registry.js';
import { storeReport, type StoreReportInput, type StoreReportResult } from './reports.js';
import { openStore } from './storage/open-store.js';
import type { LoadRunbookInput, LoadRunbookResult } from './types.js';

export type { ActivityDeps } from './registry.js';

/** The system actions' implementations under their activity names. */
type ActionActivities = { [K in SystemKind as ActivityOf<K>]: Implementations[K] };

/** Activities bound to their dependencies; the workflow proxies exactly these names. */
export function createActivities(deps: ActivityDeps) {
  const { config } = deps;
  const impl = implementations(deps);
  const actions = Object.fromEntries(SYSTEM_KINDS.map((kind) => [ACTION_RUNTIME[kind].activity, impl[kind]])) as ActionActivities;
  return {
    loadRunbook: (input: LoadRunbookInput): Promise<LoadRunbookResult> =>
      loadRunbook(input, { dir: config.runbooksDir, defaultWebhook: Boolean(config.DR_NOTIFY_WEBHOOK?.trim()), environment: config.DR_ENVIRONMENT }),
    ...actions,
    storeReport: (input: StoreReportInput): Promise<StoreReportResult> => storeReport(input, openStore(config)),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export { FailureTypes, type FailureType } from './errors.js';
export { isSecretRef, Redactor, resolveSecret } from './secrets.js';
export { listRunbookFiles } from './load.js';
