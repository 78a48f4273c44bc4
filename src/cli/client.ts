// The CLI's connection to Temporal and the lookups every command shares.
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { dataConverter } from '../codec/index.js';
import type { Config } from '../config.js';
import { connectionOptions } from '../temporal/connection.js';
import type { RunReport } from '../runbook/run.js';
import { reportQuery } from '../workflows/messages.js';

/** A client for the configured cluster: address, TLS / API key, and the payload codec when configured. */
export async function connect(config: Config): Promise<Client> {
  const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: '5s' });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) });
}

/** The run's report: live from the workflow while it runs, from its result or failure once it ended. */
export async function fetchReport(handle: WorkflowHandle): Promise<RunReport> {
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return handle.query(reportQuery);
  try {
    return await fetchFinalReport(handle);
  } catch (err) {
    if (description.status.name === 'FAILED') throw err; // failed before it had a report (bad input)
    // Terminated or timed out: the workflow can still answer the query by replaying its history.
    return handle.query(reportQuery);
  }
}

/** Waits for the run to end and returns its report (from the result or the failure's details). */
export async function fetchFinalReport(handle: WorkflowHandle): Promise<RunReport> {
  try {
    return (await handle.result()) as RunReport;
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    const details = cause instanceof ApplicationFailure ? cause.details : undefined;
    if (details?.[0]) return details[0] as RunReport;
    throw err;
  }
}

/** Link to a run in the Temporal Web UI. */
export function uiLink(config: Config, workflowId: string): string {
  return `${config.DR_UI_URL}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}
