// Keeps each run's report beside the backups (`reports/<run id>/`), so the record of a drill or an
// incident outlives Temporal's history retention and is found where the backups are.
import { Readable } from 'node:stream';
import { renderMarkdown } from '../report/markdown.js';
import type { RunReport } from '../runbook/run.js';
import type { BackupStore } from './storage/store.js';
import { joinKey } from './storage/store.js';

export interface StoreReportInput {
  report: RunReport;
}

export interface StoreReportResult {
  /** Where the report went, e.g. `/var/backups/easymo/reports/<id>` or `s3://bucket/reports/<id>`. */
  location: string;
  keys: string[];
}

/** Writes report.json and report.md under `reports/<workflow id>/`; a rewrite replaces them. */
export async function storeReport(input: StoreReportInput, store: BackupStore): Promise<StoreReportResult> {
  const dir = joinKey('reports', input.report.workflowId);
  const files: Array<[string, string]> = [
    ['report.json', JSON.stringify(input.report, null, 2)],
    ['report.md', renderMarkdown(input.report)],
  ];
  const keys: string[] = [];
  for (const [name, text] of files) {
    const key = joinKey(dir, name);
    await store.put(key, Readable.from([Buffer.from(text, 'utf8')]));
    keys.push(key);
  }
  return { location: `${store.location}/${dir}`, keys };
}
