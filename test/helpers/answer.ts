// Answers every wait on people of a run and its sub-runs, as the people named in the wait would
// (updates, so a refusal is seen at once), until the run ends: approvals by as many distinct members
// of the roles as it needs, confirmations by one of them. A step that failed under `onFailure: ask`
// is aborted and said so: an end-to-end run that needs a decision did not go as planned.
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { approveUpdate, completeUpdate, decideUpdate, progressQuery, type Progress } from '../../src/workflows/messages.js';

/** What the helper did: one line per answer, and the decisions it had to take. */
export interface Answered {
  answers: string[];
  decisions: string[];
}

/** The people a wait names (`oncall (devops-oncall), backend-lead (backend-lead)`), or a stand-in for `anyone`. */
function peopleOf(waitingOn: string | undefined): string[] {
  const named = [...(waitingOn ?? '').matchAll(/\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(', ')).filter((p) => p && p !== 'nobody');
  return named.length > 0 ? [...new Set(named)] : ['e2e-operator'];
}

export async function answerUntilDone(client: Client, workflowId: string, options: { pollMs?: number } = {}): Promise<Answered> {
  const done: Answered = { answers: [], decisions: [] };
  const tried = new Set<string>();
  for (;;) {
    const { status } = await client.workflow.getHandle(workflowId).describe();
    if (status.name !== 'RUNNING') return done;
    const runs = [workflowId];
    for (let i = 0; i < runs.length; i++) {
      const handle = client.workflow.getHandle(runs[i]!);
      let progress: Progress;
      try {
        progress = await handle.query(progressQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError || /not found|did not register|completed/i.test(String(err))) continue;
        throw err;
      }
      for (const step of progress.steps) {
        if (step.childRun && (step.status === 'running' || step.status === 'waiting')) runs.push(step.childRun);
        if (!step.waitingFor) continue;
        if (step.waitingFor === 'decision') {
          const key = `${handle.workflowId}/${step.id}/decide/${step.attempts}`;
          if (tried.has(key)) continue;
          tried.add(key);
          done.decisions.push(`${handle.workflowId} ${step.id}: failed and asked for a decision; aborted`);
          await handle.executeUpdate(decideUpdate, { args: [{ step: step.id, by: 'e2e-operator', decision: 'abort', comment: 'e2e: unexpected failure' }] }).catch(() => undefined);
          continue;
        }
        // One answer per step and look: the next look shows whether the wait needs another person.
        const [given, needed] = (step.approvals ?? '0/1').split('/').map(Number) as [number, number];
        if (step.waitingFor === 'approval' && given >= needed) continue;
        for (const person of peopleOf(step.waitingOn)) {
          const key = `${handle.workflowId}/${step.id}/${step.waitingFor}/${person}/${step.attempts}`;
          if (tried.has(key)) continue;
          tried.add(key);
          const update = step.waitingFor === 'approval' ? approveUpdate : completeUpdate;
          try {
            await handle.executeUpdate(update, { args: [{ step: step.id, by: person, comment: 'e2e' }] });
            done.answers.push(`${handle.workflowId} ${step.waitingFor === 'approval' ? 'approve' : 'complete'} ${step.id} --as ${person}`);
          } catch {
            // Refused (already answered by them, not waiting any more): the next person, or the next look.
            continue;
          }
          break;
        }
      }
    }
    await delay(options.pollMs ?? 300);
  }
}
