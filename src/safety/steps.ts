// The effect class of every step: one entry per action kind (the type system makes a new action
// add one), commands and queries through the parsers. The loader calls classifyRunbook once per
// load, so the workflow, lint and the report read `step.effect` and never parse anything.
import { changesState, combine, destructive, effectRank, readOnly, unproven, type StepEffect, type Verdict } from '../runbook/effect.js';
import type { Action, ActionKind, Runbook, Step } from '../runbook/model.js';
import { classifyArgv, classifyHttp, classifyScript, classifySql } from './index.js';

type EffectOf = { [K in ActionKind]: (action: Extract<Action, { kind: K }>) => Verdict };

const EFFECT_OF: EffectOf = {
  shell: (a) => (a.script !== undefined ? classifyScript(a.script) : classifyArgv(a.command ?? [])),
  http: (a) => classifyHttp({ method: a.method, hasBody: a.body !== undefined || a.json !== undefined }),
  sql: (a) => classifySql(a.query),
  manual: () => readOnly('a person does it and confirms'),
  approval: () => readOnly('an approval: people decide, nothing runs'),
  wait: () => readOnly('waits'),
  notify: () => readOnly('sends a message to the incident channel; changes no system the runbook recovers'),
  'postgres.backup': () => changesState('writes a backup set to the backup store (the database is only read)'),
  'postgres.restore': (a) =>
    destructive(a.tables?.length ? `drops and restores tables ${a.tables.join(', ')} of the target` : 'replaces the contents of the target database'),
  'postgres.verify': () => readOnly('reads the restored database and the backup manifest'),
  'storage.list': () => readOnly('lists the backup store'),
  'storage.prune': (a) =>
    a.dryRun ? readOnly('dry run: lists what retention would delete') : destructive('deletes the backups that retention does not keep'),
  'redis.snapshot': () => changesState('BGSAVE on the server, then a new set in the backup store'),
  'redis.restore': () => destructive('stops Redis and replaces its data with the backup'),
  'redis.persistence': () => changesState("changes the server's persistence settings (CONFIG SET, CONFIG REWRITE)"),
  'kafka.export': () => changesState('writes a set to the backup store (topics are only read)'),
  'kafka.restore': (a) =>
    a.resetOffsets ? destructive("moves consumer groups' offsets to the backup's") : changesState('creates topics and writes messages'),
  archive: () => changesState('writes an archive to the backup store'),
  'archive.restore': (a) =>
    a.overwrite ? destructive(`overwrites files under ${a.target}`) : changesState(`writes files under ${a.target} (existing files are kept)`),
  'pgbackrest.stanza': () => changesState('configures the stanza and turns WAL archiving on for the server'),
  'pgbackrest.backup': (a) => changesState(`takes a ${a.type} backup into the repository`),
  'pgbackrest.info': () => readOnly("reads the repository's backups and WAL archive range"),
  'pgbackrest.check': () => changesState('forces a WAL switch so a segment reaches the archive'),
  'pgbackrest.restore': (a) => changesState(`restores into the new data directory ${a.dataDir} and starts a server on it (the source is never written)`),
  runbook: (a) =>
    a.mode === 'live'
      ? unproven(`runs runbook "${a.id}" in live mode whatever this run's mode`)
      : readOnly(`a sub-run: the steps of "${a.id}" are classified and gated in their own run`),
  parallel: (a) => combine(a.steps.map((s) => stepEffect(s))),
};

/** The class the run uses for one step: the derived class, or the declaration where it is not weaker than a proven one. */
export function stepEffect(step: Step): StepEffect {
  const derived = (EFFECT_OF[step.action.kind] as (a: Action) => Verdict)(step.action);
  const declared = step.declaredEffect;
  if (declared === undefined) return { ...derived, source: 'derived' };
  if (effectRank(declared) >= effectRank(derived.effect)) {
    return { effect: declared, proven: true, source: 'declared', reasons: [`declared ${declared} by the runbook`, ...derived.reasons] };
  }
  // A declaration may vouch for what the classifier could not see (a team's own script), never
  // against what it showed: lint reports that contradiction as an error.
  if (derived.proven) return { ...derived, source: 'derived' };
  return { effect: declared, proven: false, source: 'declared', reasons: [`declared ${declared} by the runbook, which the classifier could not show`, ...derived.reasons] };
}

/** Sets `effect` (and `destructive`) on every step, parallel children included. */
export function classifyRunbook(runbook: Runbook): void {
  const visit = (step: Step): void => {
    if (step.action.kind === 'parallel') step.action.steps.forEach(visit);
    step.effect = stepEffect(step);
    // A group is never performed itself: its children carry the gates.
    step.destructive = step.action.kind !== 'parallel' && step.effect.effect === 'destructive';
  };
  runbook.steps.forEach(visit);
}
