// `npm run drill`: the main job on the local stack (`npm start`). A full drill of scenario 1,
// complete database loss, driven through the `dr` CLI the way a team would run it:
//   1. dr start database-loss --mode drill: nothing else. The runbook's drill set-up (`drill.setup`,
//      on the local stack's worker) runs first, as sub-runs: demo-setup creates the demo EasyMO
//      database (users, transactions, messages; FKs, indexes, RLS), database-backup takes the daily
//      backup of it, demo-disaster loses it. Then the scenario's steps, against the RTO clock.
//   2. approvals and confirmations are given with `dr approve` / `dr complete` as the people in
//      runbooks/people.yaml
//   3. dr report: planned vs actual per step, waiting vs executing, RTO met or not, RPO achieved
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../src/config.js';
import { progressQuery, type Progress } from '../src/workflows/messages.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfig();
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const lead = 'drill-lead';
// The inputs come from the worker's environment (runbooks/environments/local.yaml: the database URLs
// are references to its DEMO_DATABASE_URL and DEMO_ADMIN_URL). Only another demo database's name,
// which must be the one DEMO_DATABASE_URL names, is passed.
const database = process.env.DEMO_DATABASE_NAME;

/** Runs the `dr` CLI, showing the command as a person would type it. */
function dr(args: string[]): number {
  process.stdout.write(`\n$ dr ${args.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
  const result = spawnSync(process.execPath, ['bin/dr.js', ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, DR_USER: lead } });
  return result.status ?? 1;
}

function must(code: number, what: string): void {
  if (code !== 0) {
    process.stderr.write(`\ndrill: ${what} did not succeed (exit ${code}); see the output above.\n`);
    process.exit(1);
  }
}

/** Who answers a waiting step: members of the roles it waits on, never the drill lead alone. */
function answerers(waitingOn: string, count: number): string[] {
  const people = [...waitingOn.matchAll(/\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(', ')).filter((p) => p && p !== 'nobody');
  return [...new Set(people)].slice(0, count);
}

/** Gives every approval and confirmation the run (and its sub-runs) waits for, until it ends. */
async function answerUntilDone(client: Client, workflowId: string): Promise<void> {
  const answered = new Set<string>();
  for (;;) {
    const { status } = await client.workflow.getHandle(workflowId).describe();
    if (status.name !== 'RUNNING') return;
    const runs = [workflowId];
    for (let i = 0; i < runs.length; i++) {
      const id = runs[i]!;
      let progress: Progress;
      try {
        progress = await client.workflow.getHandle(id).query(progressQuery);
      } catch {
        continue; // a sub-run that just ended
      }
      for (const step of progress.steps) {
        if (step.childRun && step.status === 'running') runs.push(step.childRun);
        if (!step.waitingFor) continue;
        const [given, needed] = (step.approvals ?? '0/1').split('/').map(Number) as [number, number];
        for (const person of answerers(step.waitingOn ?? '', needed)) {
          const key = `${id}/${step.id}/${person}/${step.attempts}`;
          if (answered.has(key) || given >= needed) continue;
          answered.add(key);
          const verb = step.waitingFor === 'approval' ? 'approve' : step.waitingFor === 'completion' ? 'complete' : 'decide';
          const args = verb === 'decide' ? [verb, id, step.id, 'abort'] : [verb, id, step.id];
          dr([...args, '--as', person, '--comment', 'drill']);
          if (verb !== 'approve') break;
        }
      }
    }
    await delay(500);
  }
}

async function main(): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5s' }).catch(() => {
    process.stderr.write(`drill: cannot reach Temporal at ${config.TEMPORAL_ADDRESS}; start the local stack first: npm start\n`);
    process.exit(1);
  });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

  const id = `drill-${stamp}-database-loss`;
  must(
    dr(['start', 'database-loss', '--mode', 'drill', '--id', id, '--as', lead, ...(database ? ['--input', `database=${database}`] : [])]),
    'starting database-loss',
  );
  await answerUntilDone(client, id);
  dr(['status', id]);
  must(dr(['report', id]), 'dr report');
  const { status } = await client.workflow.getHandle(id).describe();
  await connection.close();
  // The drill's verdict is the scenario's: a failed recovery fails the command.
  if (status.name !== 'COMPLETED') {
    process.stderr.write(`\ndrill: ${id} ended ${status.name.toLowerCase()}; the report above says where.\n`);
    process.exit(1);
  }
}

await main();
