// Configuration from the environment, read in one place. Every variable is listed in
// .env.example (and described in docs/). The env is injectable so tests can pass their own.
import { resolve } from 'node:path';
import { z } from 'zod';

/** An optional variable where an empty value means unset (as `FOO=` in a .env file does). */
const optionalText = z
  .string()
  .transform((v) => (v.trim() === '' ? undefined : v))
  .optional();
const optionalPort = z
  .string()
  .transform((v, ctx) => {
    if (v.trim() === '') return undefined;
    const n = Number(v);
    if (Number.isInteger(n) && n >= 1 && n <= 65_535) return n;
    ctx.addIssue({ code: 'custom', message: `Expected a port number (1-65535), got ${JSON.stringify(v)}` });
    return z.NEVER;
  })
  .optional();
const optionalCount = z
  .string()
  .transform((v, ctx) => {
    if (v.trim() === '') return undefined;
    const n = Number(v);
    if (Number.isInteger(n) && n >= 1) return n;
    ctx.addIssue({ code: 'custom', message: `Expected a whole number of at least 1, got ${JSON.stringify(v)}` });
    return z.NEVER;
  })
  .optional();
const flag = z
  .enum(['true', 'false', '1', '0', ''], { error: (i) => `Expected true or false, got ${JSON.stringify(i.input)}` })
  .transform((v) => (v === '' ? undefined : v === 'true' || v === '1'));

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** TLS to the frontend: `true` for server-verified TLS without files; implied by the files and the API key below. */
  TEMPORAL_TLS: flag.optional(),
  /** mTLS client certificate and key (PEM files, read when connecting), for a self-hosted cluster or Temporal Cloud. */
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  /** CA that signed the server's certificate (PEM file); default: the system's roots. */
  TEMPORAL_TLS_CA: optionalText,
  /** Server name to verify the server's certificate against (SNI), when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  /** Temporal Cloud API key (sent as a bearer token; implies TLS). */
  TEMPORAL_API_KEY: optionalText,
  /** Payload encryption keys `id:base64key,...` (AES-256: 32 bytes each); unset = payloads are not encrypted. */
  DR_CODEC_KEYS: optionalText,
  /** The key id that encrypts new payloads (default: the first of DR_CODEC_KEYS); the others only decrypt. */
  DR_CODEC_KEY_ID: optionalText,
  /** Port of the worker's Prometheus endpoint (/metrics); unset = no metrics endpoint. */
  DR_METRICS_PORT: optionalPort,
  /** How often the worker counts waiting / at-risk / breached runs for its gauges (seconds). */
  DR_METRICS_REFRESH_SECONDS: z.coerce.number({ error: (i) => `Expected a number of seconds, got ${JSON.stringify(i.input)}` }).positive().default(15),
  /** Interface the metrics endpoint binds to (0.0.0.0 in a container). */
  DR_METRICS_HOST: z.string().default('127.0.0.1'),
  /** Worker log lines: `json` (one object a line, with run and step ids) or `text`. */
  DR_LOG_FORMAT: z.enum(['json', 'text'], { error: (i) => `Expected json or text, got ${JSON.stringify(i.input)}` }).default('json'),
  DR_LOG_LEVEL: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], { error: (i) => `Expected TRACE, DEBUG, INFO, WARN or ERROR, got ${JSON.stringify(i.input)}` }))
    .default('INFO'),
  DR_TASK_QUEUE: z.string().default('dr'),
  DR_RUNBOOKS_DIR: z.string().default('runbooks'),
  /** Input defaults for runs on this worker: <DR_RUNBOOKS_DIR>/environments/<name>.yaml (npm start: local). */
  DR_ENVIRONMENT: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: (i) => `Expected a name like local or staging, got ${JSON.stringify(i.input)}` }).optional(),
  DR_STATE_DIR: z.string().default('.state'),
  /** Base URL of the Temporal Web UI, for links in notifications and CLI output. */
  DR_UI_URL: z.string().default('http://localhost:8233'),
  /** Default webhook for notifications (Slack-compatible or generic JSON); a reference is allowed. */
  DR_NOTIFY_WEBHOOK: z.string().optional(),
  /** A prebuilt workflow bundle (from bundleWorkflowCode) for fast worker start; default: bundle at start. */
  DR_WORKFLOW_BUNDLE: z.string().optional(),
  // Worker concurrency (unset: the Temporal SDK's defaults, noted in .env.example). A run is mostly
  // waiting, so one worker holds many runs; these bound what it does at once.
  /** Activities (steps) one worker runs at once (SDK maxConcurrentActivityTaskExecutions). */
  DR_WORKER_MAX_ACTIVITIES: optionalCount,
  /** Local activities one worker runs at once (SDK maxConcurrentLocalActivityExecutions): a run's loadRunbook and storeReport. */
  DR_WORKER_MAX_LOCAL_ACTIVITIES: optionalCount,
  /** Workflow tasks one worker processes at once (SDK maxConcurrentWorkflowTaskExecutions; at least 2). */
  DR_WORKER_MAX_WORKFLOW_TASKS: optionalCount,
  /** Runs kept in the worker's cache (SDK maxCachedWorkflows); an evicted run is replayed from history on its next task. */
  DR_WORKER_MAX_CACHED_WORKFLOWS: optionalCount,
  /** Concurrent polls for workflow tasks (SDK maxConcurrentWorkflowTaskPolls; at least 2, at most DR_WORKER_MAX_WORKFLOW_TASKS). */
  DR_WORKER_WORKFLOW_POLLERS: optionalCount,
  /** Concurrent polls for activity tasks (SDK maxConcurrentActivityTaskPolls). */
  DR_WORKER_ACTIVITY_POLLERS: optionalCount,
  /** Max bytes of stdout/stderr kept per shell step (the tail is kept). */
  DR_OUTPUT_CAP_BYTES: z.coerce.number().int().positive().default(16_384),
  /** Where backups go: a folder, or s3://bucket/prefix; default <DR_STATE_DIR>/backups. */
  DR_BACKUP_STORE: z.string().min(1).optional(),
  /** S3-compatible endpoint (MinIO, versitygw, ...); default: AWS. */
  DR_S3_ENDPOINT: z.url({ error: (i) => `Expected a URL like http://127.0.0.1:9000, got ${JSON.stringify(i.input)}` }).optional(),
  DR_S3_REGION: z.string().default('us-east-1'),
  /** Path-style URLs (http://host/bucket/key), which most S3-compatible servers need. */
  DR_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0', ''], { error: (i) => `Expected true or false, got ${JSON.stringify(i.input)}` })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Storage class for monthly and annual backups (e.g. GLACIER_IR); default: the bucket's. */
  DR_BACKUP_COLD_STORAGE_CLASS: z.string().min(1).optional(),
  /** Scratch space for directory-format dumps and restore downloads; default: the system temp folder. */
  DR_BACKUP_WORK_DIR: z.string().min(1).optional(),
  /** Folder of pg_dump / pg_restore / psql, when those on PATH are older than the server. */
  DR_PG_BIN_DIR: z.string().min(1).optional(),
  /** Where pgbackrest.stanza writes each stanza's config (the worker owns it); default <DR_STATE_DIR>/pgbackrest. */
  DR_PGBACKREST_DIR: z.string().min(1).optional(),
  /** The pgbackrest binary, when not the one on PATH. */
  DR_PGBACKREST_BIN: z.string().min(1).optional(),
  /** Id prefix of the Temporal Schedules `dr schedules apply` manages (one per environment sharing a namespace). */
  DR_SCHEDULE_PREFIX: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: (i) => `Expected letters, digits, ".", "_" or "-", got ${JSON.stringify(i.input)}` }).default('dr-'),
});

export type Config = z.infer<typeof schema> & { runbooksDir: string; stateDir: string };

/** Reads the configuration; throws one readable error naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  return {
    ...parsed.data,
    runbooksDir: resolve(cwd, parsed.data.DR_RUNBOOKS_DIR),
    stateDir: resolve(cwd, parsed.data.DR_STATE_DIR),
  };
}
