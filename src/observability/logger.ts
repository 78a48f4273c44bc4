// The worker's log lines: one JSON object a line (or plain text for people at a terminal), carrying
// the attributes Temporal attaches (workflowId, runId, activityType, ...) plus our runbook and step
// ids, so any line can be traced to the run and step it is about.
import { DefaultLogger, LogTimestamp, type LogEntry, type Logger, type LogLevel } from '@temporalio/worker';

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  format: LogFormat;
  level: LogLevel;
  /** Where lines go (default stdout). */
  write?: (line: string) => void;
}

/** One log entry as the JSON object we print. */
export function logRecord(entry: LogEntry): Record<string, unknown> {
  // Activity lines carry the run as workflowRunId: one name for it everywhere. The task token is
  // an opaque blob nobody greps for.
  const { [LogTimestamp]: _ts, workflowRunId, taskToken: _token, ...meta } = (entry.meta ?? {}) as Record<string | symbol, unknown>;
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return { time, level: entry.level.toLowerCase(), msg: entry.message, ...meta, ...(workflowRunId !== undefined && meta.runId === undefined ? { runId: workflowRunId } : {}) };
}

/** JSON.stringify that survives errors, bigints and cycles. */
export function toJsonLine(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}

function textLine(record: Record<string, unknown>): string {
  const { time, level, msg, sdkComponent, ...rest } = record;
  const attrs = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : toJsonLine({ v }).slice(5, -1)}`)
    .join(' ');
  return `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${sdkComponent ? `[${String(sdkComponent)}] ` : ''}${String(msg)}${attrs ? `  ${attrs}` : ''}`;
}

/** A Temporal Logger writing structured lines. */
export function createLogger({ format, level, write = (line) => process.stdout.write(line) }: LoggerOptions): Logger {
  return new DefaultLogger(level, (entry) => {
    const record = logRecord(entry);
    write(`${format === 'json' ? toJsonLine(record) : textLine(record)}\n`);
  });
}

/**
 * Process warnings (the AWS SDK's notice about Node versions, deprecations) through `logger`: Node
 * prints them as plain multi-line text on stderr, which breaks a JSON log's one object a line.
 * Replaces Node's own printer.
 */
export function routeProcessWarnings(logger: Pick<Logger, 'warn'>): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) =>
    logger.warn(`${warning.name}: ${warning.message}`, { warning: warning.name, ...(warning.code ? { code: warning.code } : {}) }),
  );
}
