// Configuration from the environment, read in one place. Every variable is listed in
// .env.example and the README. The env is injectable so tests can pass their own.
import { resolve } from 'node:path';
import { z } from 'zod';

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  DR_TASK_QUEUE: z.string().default('dr'),
  DR_RUNBOOKS_DIR: z.string().default('runbooks'),
  DR_STATE_DIR: z.string().default('.state'),
  /** Base URL of the Temporal Web UI, for links in notifications and CLI output. */
  DR_UI_URL: z.string().default('http://localhost:8233'),
  /** Default webhook for notifications (Slack-compatible or generic JSON); a reference is allowed. */
  DR_NOTIFY_WEBHOOK: z.string().optional(),
  /** A prebuilt workflow bundle (from bundleWorkflowCode) for fast worker start; default: bundle at start. */
  DR_WORKFLOW_BUNDLE: z.string().optional(),
  /** Max bytes of stdout/stderr kept per shell step (the tail is kept). */
  DR_OUTPUT_CAP_BYTES: z.coerce.number().int().positive().default(16_384),
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
