// The activities the worker registers, built from explicit dependencies so tests can pass their own
// configuration and environment (samples: activities-dependency-injection).
import type { Config } from '../config.js';
import type { Logger } from './context.js';
import { backupActivities } from './backups.js';
import { dataActivities } from './data.js';
import { httpRequest } from './http.js';
import { loadRunbook } from './load.js';
import { notify } from './notify.js';
import { pgbackrestActivities } from './pgbackrest/index.js';
import { storeReport, type StoreReportInput, type StoreReportResult } from './reports.js';
import { openStore } from './storage/open-store.js';
import { runShell } from './shell.js';
import { runSql } from './sql.js';
import type {
  HttpInput,
  HttpResult,
  LoadRunbookInput,
  LoadRunbookResult,
  NotifyInput,
  NotifyResult,
  ShellInput,
  ShellResult,
  SqlInput,
  SqlResult,
} from './types.js';

export interface ActivityDeps {
  config: Config;
  /** Environment that secret references resolve against (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default: Temporal's activity logger inside a worker, the console outside. */
  log?: Logger;
}

/** Activities bound to their dependencies; the workflow proxies exactly these names. */
export function createActivities(deps: ActivityDeps) {
  const { config, env, log } = deps;
  // Cancellation and heartbeats come from the activity context at call time, not from deps.
  const common = { env, log };
  return {
    loadRunbook: (input: LoadRunbookInput): Promise<LoadRunbookResult> => loadRunbook(input, { dir: config.runbooksDir }),
    runShell: (input: ShellInput): Promise<ShellResult> => runShell(input, { ...common, outputCapBytes: config.DR_OUTPUT_CAP_BYTES }),
    httpRequest: (input: HttpInput): Promise<HttpResult> => httpRequest(input, common),
    runSql: (input: SqlInput): Promise<SqlResult> => runSql(input, common),
    notify: (input: NotifyInput): Promise<NotifyResult> => notify(input, {
        ...common,
        defaultWebhook: config.DR_NOTIFY_WEBHOOK,
        ui: { url: config.DR_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
      }),
    ...backupActivities({ config, env, log }),
    ...dataActivities({ config, env, log }),
    ...pgbackrestActivities({ config, env, log }),
    storeReport: (input: StoreReportInput): Promise<StoreReportResult> => storeReport(input, openStore(config)),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export { FailureTypes, type FailureType } from './errors.js';
export { isSecretRef, Redactor, resolveSecret } from './secrets.js';
export { listRunbookFiles } from './load.js';
