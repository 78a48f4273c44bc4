// The `dr` command tree (commander): every command, its options and the function it runs. Kept apart
// from main.ts so the docs test reads the command list without running the CLI.
import { Command, Option } from 'commander';
import { MODES } from '../runbook/model.js';
import type { CommandContext } from './context.js';

// Each command's module (and the libraries it needs: the Temporal client, the SQL parser, ...) loads
// when that command runs, so `dr --help` or a usage error costs only commander and the config.
const load = {
  codecServer: () => import('./commands/codec-server.js'),
  effects: () => import('./commands/effects.js'),
  import: () => import('./commands/import.js'),
  list: () => import('./commands/list.js'),
  messages: () => import('./commands/messages.js'),
  metrics: () => import('./commands/metrics.js'),
  report: () => import('./commands/report.js'),
  review: () => import('./commands/review.js'),
  schedules: () => import('./commands/schedules.js'),
  start: () => import('./commands/start.js'),
  status: () => import('./commands/status.js'),
  validate: () => import('./commands/validate.js'),
};

const collect = (value: string, previous: string[]) => [...previous, value];

/** The `dr` program; `ctx` is only used when a command runs. */
export function program(ctx: CommandContext): Command {
  const dr = new Command('dr')
    .description('Executable disaster-recovery runbooks on Temporal')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  dr.command('start <runbook>')
    .description('start a run of a runbook')
    .addOption(new Option('-m, --mode <mode>', 'live, drill or dry-run').choices(MODES).default('drill'))
    .option('-i, --input <key=value>', 'runbook input (repeatable)', collect, [])
    .option('--id <workflowId>', 'workflow id (default: <runbook>-<mode>-<time>)')
    .option('--incident-at <iso>', 'when the incident happened, for RPO (default: now)')
    .option('--as <who>', 'who is starting the run (default: $DR_USER or $USER)')
    .option('--wait', 'wait for the run to end; exit 1 unless it succeeded')
    .option('--no-setup', "skip the runbook's drill set-up (drill.setup): its preparation is done already")
    .action(async (runbook: string, o) => {
      await (await load.start()).start(ctx, runbook, o);
    });

  dr.command('status <run>')
    .description('steps, states, elapsed vs budget, who the run waits for, RTO forecast')
    .option('-w, --watch', 'refresh until the run ends')
    .option('--interval <seconds>', 'refresh interval with --watch', '2')
    .action(async (run: string, o) => (await load.status()).status(ctx, run, o));

  for (const kind of ['approve', 'reject', 'complete'] as const) {
    dr.command(`${kind} <run> <step>`)
      .description(`${kind} a waiting step`)
      .option('--as <who>', 'who you are (default: $DR_USER or $USER)')
      .option('-c, --comment <text>', 'a comment for the record')
      .option('--no-wait', 'queue the message (recorded in the run at once) and return without waiting for a worker to apply it')
      .option('--wait-limit <duration>', 'how long to wait for a worker to apply it', '10m')
      .action(async (run: string, step: string, o) => (await load.messages()).stepMessage(ctx, kind, run, step, o));
  }

  dr.command('decide <run> <step> <decision>')
    .description('retry, skip or abort a step that failed under onFailure: ask')
    .option('--as <who>', 'who you are (default: $DR_USER or $USER)')
    .option('-c, --comment <text>', 'a comment for the record')
    .option('--no-wait', 'queue the message and return without waiting for a worker to apply it')
    .option('--wait-limit <duration>', 'how long to wait for a worker to apply it', '10m')
    .action(async (run: string, step: string, decision: string, o) => (await load.messages()).decide(ctx, run, step, decision, o));

  dr.command('abort <run>')
    .description('abort a run: running steps are cancelled, their processes killed')
    .option('--as <who>', 'who you are (default: $DR_USER or $USER)')
    .option('-c, --comment <text>', 'why')
    .option('--no-wait', 'queue the abort and return without waiting for a worker to apply it')
    .option('--wait-limit <duration>', 'how long to wait for a worker to apply it', '10m')
    .action(async (run: string, o) => (await load.messages()).abort(ctx, run, o));

  dr.command('report <run>')
    .description('the run report: planned vs actual per step, waiting vs executing, RTO verdict')
    .addOption(new Option('-f, --format <format>', 'md, json, html (with the Gantt chart) or svg (the chart alone)').choices(['md', 'json', 'html', 'svg']).default('md'))
    .option('-o, --out <file>', 'write the report to a file instead of printing it')
    .action(async (run: string, o) => (await load.report()).report(ctx, run, o));

  dr.command('list')
    .description('recent runs')
    .option('-r, --runbook <id>', 'only runs of this runbook')
    .option('-s, --status <status>', 'only runs in this status')
    .option('--mode <mode>', 'only runs in this mode')
    .option('-n, --limit <n>', 'how many', '20')
    .action(async (o) => (await load.list()).list(ctx, o));

  dr.command('metrics')
    .description('across finished runs: time to restore, data loss (RPO), restore success, time to detect, MTTR, RTO met, steps vs budget')
    .option('-r, --runbook <id>', 'only runs of this runbook')
    .option('--since <when>', 'runs closed after this: a duration back from now (30d, 12h) or an ISO time', '30d')
    .option('--mode <mode>', 'only runs in this mode (default: live and drill; dry runs never count)')
    .option('--task-queue <name>', 'only runs on this task queue')
    .option('--sub-runs', 'also count runs started by another run (sub-runbooks) under their own runbook')
    .addOption(new Option('-f, --format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('-n, --limit <n>', 'fetch at most this many runs (the most recently closed)', '200')
    .action(async (o) => (await load.metrics()).metrics(ctx, o));

  dr.command('review <runbook>')
    .description('the drill review: per step durations over the runs, p50/p95 vs budget, a suggested budget, the forecast against the RTO, the riskiest steps')
    .option('--since <when>', 'runs closed after this: a duration back from now (30d, 12h) or an ISO time', '90d')
    .option('--mode <mode>', 'only runs in this mode (default: live and drill; dry runs never count)')
    .addOption(new Option('--forecast-mode <mode>', 'the mode whose plan is forecast against the RTO').choices(MODES).default('live'))
    .option('--task-queue <name>', 'only runs on this task queue')
    .option('-n, --limit <n>', 'fetch at most this many runs (the most recently closed)', '200')
    .addOption(new Option('-f, --format <format>', 'table, json or html').choices(['table', 'json', 'html']).default('table'))
    .option('-o, --out <file>', 'write the review to a file instead of printing it')
    .option('--raise-only', 'suggest raising budgets only, never lowering them')
    .option('--write', 'propose the suggested budgets as a diff to the runbook file; written once accepted')
    .option('-y, --yes', 'with --write: accept the diff without asking')
    .action(async (runbook: string, o) => {
      await (await load.review()).review(ctx, runbook, o);
    });

  dr.command('validate [dir]')
    .description('check every runbook in a folder (default: runbooks/)')
    .action(async (dir: string | undefined) => (await load.validate()).validate(ctx, dir));

  dr.command('effects <runbook>')
    .description("each step's effect class (read-only, changes-state, destructive) and why; what a drill and a live run do with it")
    .addOption(new Option('-f, --format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .action(async (runbook: string, o) => (await load.effects()).effects(ctx, runbook, o));

  dr.command('import <doc>')
    .description('turn a Markdown DR document into runbooks (commands are not run); summary of what was mapped')
    .option('-o, --out <dir>', 'folder to write runbooks to (default: runbooks/)')
    .option('--check', 'report only, write nothing; exit 1 on contradictions or parts it could not classify (for CI)')
    .option('--all', 'also import sections that only have shell commands (no numbered steps)')
    .option('--approver <name>', 'who may approve the gate before destructive steps (repeatable)', collect, [])
    .option('-f, --force', 'replace runbook files that exist')
    .option('-q, --quiet', 'leave the mapped findings out of the summary')
    .action(async (doc: string, o) => (await load.import()).importDocument(ctx, doc, o));

  const schedules = dr.command('schedules').description('Temporal Schedules from runbooks/schedules.yaml: backups, retention pruning, restore tests');
  schedules
    .command('apply')
    .description('create, update and delete the managed schedules so they match the file (twice in a row changes nothing)')
    .option('-f, --file <path>', 'the schedules file (default: <runbooks dir>/schedules.yaml)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--prefix <prefix>', 'id prefix of the managed schedules (default: $DR_SCHEDULE_PREFIX, dr-)')
    .action(async (o) => {
      await (await load.schedules()).applySchedules(ctx, o);
    });
  schedules
    .command('list')
    .description('the managed schedules: what each starts, cron, next runs, last run, paused or active')
    .option('--prefix <prefix>', 'id prefix of the managed schedules (default: $DR_SCHEDULE_PREFIX, dr-)')
    .action(async (o) => (await load.schedules()).listSchedules(ctx, o));

  dr.command('codec-server')
    .description("serve Temporal's codec endpoint (POST /encode, /decode) so the Web UI shows encrypted payloads decrypted")
    .option('-p, --port <port>', 'port to listen on', '8888')
    .option('--host <host>', 'interface to bind (0.0.0.0 in a container)', '127.0.0.1')
    .option('--allow-origin <url>', 'browser origin of the Temporal UI allowed to call it (repeatable; default: the origin of DR_UI_URL; * for any)', collect, [])
    .action(async (o) => (await load.codecServer()).codecServer(ctx, o));

  return dr;
}
