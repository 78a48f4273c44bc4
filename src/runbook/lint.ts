// Named rules over a validated runbook: what the schema cannot see (ids, references, ordering,
// approvals, budgets). Each rule pushes issues; paths use the YAML field names so the loader
// can point at a line.
import { formatDuration } from './duration.js';
import { effectRank } from './effect.js';
import type { EnvironmentDefaults } from './environment.js';
import type { InputSpec, Mode, Runbook, Step } from './model.js';
import { gatedDestructiveSteps, plannedMs } from './plan.js';
import { isSecretReference } from './schema.js';
import { setupStepIds } from './setup.js';
import { templatePlaceholders } from './template.js';

/** A problem found in a runbook; `path` follows the YAML (`['steps', 3, 'parallel', 1, 'budget']`). */
export interface LintIssue {
  level: 'error' | 'warning';
  rule: string;
  message: string;
  path: (string | number)[];
  file?: string;
  line?: number;
}

type Path = (string | number)[];
type Report = (level: LintIssue['level'], path: Path, message: string) => void;

/**
 * The steps that have finished before a step starts: the first `count` steps of the run order.
 * Shared by every visit, not copied per step, so a runbook of thousands of steps lints in linear time.
 */
class Finished {
  constructor(
    private readonly order: RunOrder,
    readonly count: number,
  ) {}

  includes(step: Step): boolean {
    const i = this.order.index.get(step);
    return i !== undefined && i < this.count;
  }

  ids(): string[] {
    return this.order.done.slice(0, this.count).map((s) => s.id);
  }
}

interface RunOrder {
  done: Step[];
  index: Map<Step, number>;
}

/** A step with where it sits and the steps that have finished before it starts. */
interface Visit {
  step: Step;
  path: Path;
  before: Finished;
}

const visited = new WeakMap<Runbook, Visit[]>();

function visits(runbook: Runbook): Visit[] {
  const cached = visited.get(runbook);
  if (cached) return cached;
  const out: Visit[] = [];
  const order: RunOrder = { done: [], index: new Map() };
  const walk = (step: Step, path: Path, before: Finished): void => {
    out.push({ step, path, before });
    // Children of a group run together: each sees only what finished before the group.
    if (step.action.kind === 'parallel') step.action.steps.forEach((child, j) => walk(child, [...path, 'parallel', j], before));
  };
  runbook.steps.forEach((step, i) => {
    walk(step, ['steps', i], new Finished(order, order.done.length));
    for (const s of flatten(step)) {
      if (!order.index.has(s)) order.index.set(s, order.done.length);
      order.done.push(s);
    }
  });
  visited.set(runbook, out);
  return out;
}

function flatten(step: Step): Step[] {
  return step.action.kind === 'parallel' ? [step, ...step.action.steps.flatMap(flatten)] : [step];
}

/** Every string in a value with its path, for finding template references. */
function strings(value: unknown, path: Path): Array<[Path, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => (key === 'kind' ? [] : strings(item, [...path, key])));
  }
  return [];
}

// An own property only: a name like `constructor` must not find Object.prototype's.
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

const SHOWN_NAMES = 20;
const oneOf = (names: string[], none: string): string =>
  names.length === 0 ? none : `expected one of: ${names.slice(0, SHOWN_NAMES).join(', ')}${names.length > SHOWN_NAMES ? `, … (${names.length - SHOWN_NAMES} more)` : ''}`;
const RUN_FIELDS = ['id', 'mode', 'runbook', 'incidentAt'];
const RUN_MODES: Mode[] = ['live', 'drill']; // dry-run resolves nothing, so outputs are never needed there

/** Checks one reference; `at` is the referencing step, absent for runbook-level fields. */
function checkReference(runbook: Runbook, all: Map<string, Step>, ref: string, hasDefault: boolean, at: Visit | undefined, path: Path, report: Report): void {
  const [root, name, field, ...rest] = ref.split('.');
  const shown = `\`{{ ${ref} }}\``;
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(ref)) {
    return report('error', path, `Expected a reference like inputs.<name>, steps.<id>.output.<field>, steps.<id>.status or run.id, got ${shown}`);
  }
  if (root === 'inputs' && name !== undefined) {
    if (Object.hasOwn(runbook.inputs, name)) return;
    return report('error', path, `Unknown input "${name}" in ${shown}; ${oneOf(Object.keys(runbook.inputs), 'the runbook declares no inputs')}`);
  }
  if (root === 'run' && name !== undefined && field === undefined && RUN_FIELDS.includes(name)) return;
  if (root !== 'steps' || name === undefined || !(field === 'output' || (field === 'status' && rest.length === 0))) {
    return report('error', path, `Expected a reference like inputs.<name>, steps.<id>.output.<field>, steps.<id>.status or run.id, got ${shown}`);
  }
  if (at === undefined) return report('error', path, `Expected only inputs.* and run.* references here, got ${shown}`);
  const target = all.get(name);
  if (target === undefined) {
    return report('error', path, `Unknown step "${name}" in ${shown}; ${oneOf(at.before.ids(), `no step runs before "${at.step.id}"`)}`);
  }
  if (!at.before.includes(target)) {
    return report('error', path, `Step "${name}" in ${shown} does not finish before step "${at.step.id}" starts (it runs later, or in the same parallel group)`);
  }
  const missing = RUN_MODES.filter((mode) => at.step.modes.includes(mode) && !target.modes.includes(mode));
  if (field === 'output' && !hasDefault && missing.length) {
    report('warning', path, `Step "${name}" does not run in ${missing.join(' or ')} mode, so ${shown} has no value there; expected it to run in ${missing.join(', ')} or a default like | default("")`);
  }
}

function stepIdsUnique(runbook: Runbook, report: Report): void {
  const seen = new Map<string, Path>();
  for (const { step, path } of visits(runbook)) {
    const first = seen.get(step.id);
    if (first) report('error', [...path, 'id'], `Expected unique step ids, got "${step.id}" again (first at ${formatPath(first)})`);
    else seen.set(step.id, path);
  }
}

function referencesExist(runbook: Runbook, report: Report): void {
  const all = new Map(visits(runbook).map((v) => [v.step.id, v.step]));
  const refs = (value: unknown, path: Path, at: Visit | undefined): void => {
    for (const [where, text] of strings(value, path)) {
      for (const p of templatePlaceholders(text)) checkReference(runbook, all, p.reference, p.hasDefault, at, where, report);
    }
  };
  for (const [name, value] of Object.entries(runbook.connections)) refs(value, ['connections', name], undefined);
  refs(runbook.notify.webhook, ['notify', 'webhook'], undefined);
  runbook.drill?.setup.forEach((entry, i) => refs(entry.inputs, ['drill', 'setup', i, 'inputs'], undefined));
  const approvers = Object.keys(runbook.approvers);
  for (const visit of visits(runbook)) {
    const { action } = visit.step;
    const at = [...visit.path, action.kind];
    if (action.kind !== 'parallel') refs(action, at, visit);
    if (action.kind === 'approval' || action.kind === 'manual') {
      action.roles.forEach((role, k) => {
        if (!Object.hasOwn(runbook.approvers, role)) {
          report('error', [...at, 'roles', k], `Role "${role}" is not declared in approvers; ${oneOf(approvers, 'approvers declares no roles')}`);
        }
      });
    }
    const connection =
      action.kind === 'sql' || action.kind === 'postgres.backup' || action.kind === 'postgres.verify'
        ? (['connection', action.connection] as const)
        : action.kind === 'postgres.restore'
          ? (['target', action.target] as const)
          : undefined;
    if (connection) {
      const [field, c] = connection;
      if (!Object.hasOwn(runbook.connections, c) && !isSecretReference(c) && templatePlaceholders(c).length === 0) {
        const names = Object.keys(runbook.connections);
        report('error', [...at, field], `Expected \`${field}\` to be ${names.length ? `one of ${names.join(', ')} (connections) or ` : ''}a reference like "env:DATABASE_URL", got "${c}"`);
      }
    }
  }
}

// A gate nobody can open is found at 3 a.m. otherwise.
function approvalsSatisfiable(runbook: Runbook, report: Report): void {
  for (const { step, path } of visits(runbook)) {
    const action = step.action;
    if (action.kind !== 'approval' || !action.roles.every((r) => Object.hasOwn(runbook.approvers, r))) continue;
    const people = new Set(action.roles.flatMap((r) => runbook.approvers[r] ?? []));
    if (people.size < action.required) {
      report('error', [...path, 'approval', 'required'], `Expected at least ${action.required} people in roles ${action.roles.join(', ')}, got ${people.size}`);
    }
  }
}

/** A declaration may vouch for what the classifier cannot see, never contradict what it showed. */
function effectNotUnderstated(runbook: Runbook, report: Report): void {
  for (const { step, path } of visits(runbook)) {
    const { declaredEffect: declared, effect } = step;
    if (declared === undefined || effect === undefined || effectRank(effect.effect) <= effectRank(declared)) continue;
    report('error', [...path, 'effect'], `Expected effect: ${effect.effect} or no declaration (${effect.reasons.join('; ')}), got ${declared}`);
  }
}

/** A reason that changes nothing is a reader's trap: it suggests a protection or a risk that is not there. */
function reasonsApply(runbook: Runbook, report: Report): void {
  for (const { step, path } of visits(runbook)) {
    const effect = step.effect?.effect ?? step.declaredEffect;
    if (step.safeToRehearse !== undefined && effect === 'read-only') {
      report('warning', [...path, 'safeToRehearse'], `Step "${step.id}" only reads, so a drill runs it anyway; expected safeToRehearse only on steps that change state`);
    }
    if (step.noApproval !== undefined && !step.destructive) {
      report('warning', [...path, 'noApproval'], `Step "${step.id}" is not destructive, so it never waits for an implicit approval; expected noApproval only on destructive steps`);
    }
  }
}

/** `onTimeout: continue` would let a destructive step run with nobody's approval. */
function silentGateMustAbort(runbook: Runbook, report: Report): void {
  const gates = gatedDestructiveSteps(runbook.steps);
  for (const { step, path } of visits(runbook)) {
    const action = step.action;
    if (action.kind !== 'approval' || action.onTimeout !== 'continue') continue;
    const gated = gates.get(step.id) ?? [];
    if (gated.length > 0) {
      report('error', [...path, 'approval', 'onTimeout'], `Expected onTimeout: abort for an approval that gates destructive step(s) ${gated.join(', ')}, got continue`);
    }
  }
}

/**
 * A secret input in a shell step's command or script would reach the process as its reference text
 * (`pg_isready -d env:DATABASE_URL` probes the default socket): the worker resolves references in
 * `env:` values only, which also keeps the value out of the process list.
 */
function secretsThroughEnv(runbook: Runbook, report: Report): void {
  const secret = (name: string) => {
    const spec = runbook.inputs[name];
    return spec !== undefined && (spec.secret || (typeof spec.default === 'string' && isSecretReference(spec.default)));
  };
  for (const { step, path } of visits(runbook)) {
    const action = step.action;
    if (action.kind !== 'shell') continue;
    const fields: Array<[Path, string]> = [...strings(action.command ?? [], [...path, 'shell', 'command']), ...strings(action.script ?? [], [...path, 'shell', 'script'])];
    for (const [where, text] of fields) {
      for (const p of templatePlaceholders(text)) {
        const [root, name] = p.reference.split('.');
        if (root !== 'inputs' || name === undefined || !secret(name)) continue;
        const variable = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
        report(
          'error',
          where,
          `Input "${name}" holds a secret reference, which is resolved only in \`env:\` values: expected env: { ${variable}: "{{ inputs.${name} }}" } and "$${variable}" in a script, got \`{{ ${p.reference} }}\` in the ${where.at(-1) === 'script' ? 'script' : 'command'}`,
        );
      }
    }
  }
}

/** A drill's set-up: never the runbook itself, and no own step with the id of a set-up sub-run. */
function drillSetupSound(runbook: Runbook, report: Report): void {
  const setup = runbook.drill?.setup ?? [];
  const ids = new Map(setupStepIds(setup).map((id, i) => [id, i]));
  setup.forEach((entry, i) => {
    if (entry.runbook === runbook.id) report('error', ['drill', 'setup', i, 'runbook'], `Expected another runbook than "${runbook.id}" itself in its drill set-up`);
  });
  for (const { step, path } of visits(runbook)) {
    const i = ids.get(step.id);
    if (i !== undefined) report('error', [...path, 'id'], `Step id "${step.id}" is the id of the sub-run of drill.setup[${i}]; expected another id`);
  }
}

/**
 * The runbooks a runbook names (its drill set-up, its `runbook:` steps) exist among `known` (ids of
 * the runbooks folder). Not one of `rules`: it needs the folder, which `dr validate` and the load
 * activity give (ParseContext.runbookIds).
 */
export function runbooksExist(runbook: Runbook, known: ReadonlySet<string>): LintIssue[] {
  const issues: LintIssue[] = [];
  const check = (id: string, path: Path, what: string) => {
    if (known.has(id)) return;
    issues.push({ level: 'error', rule: 'runbooksExist', path, message: `Unknown runbook "${id}" in ${what}; ${oneOf([...known].sort(), 'the runbooks folder has no runbooks')}` });
  };
  runbook.drill?.setup.forEach((entry, i) => check(entry.runbook, ['drill', 'setup', i, 'runbook'], 'the drill set-up'));
  for (const { step, path } of visits(runbook)) {
    if (step.action.kind === 'runbook') check(step.action.id, [...path, 'runbook', 'id'], `step "${step.id}"`);
  }
  return issues;
}

/** The runbooks a runbook names (its drill set-up, its `runbook:` steps), each once. */
export function namedRunbooks(runbook: Runbook): string[] {
  const names = (runbook.drill?.setup ?? []).map((entry) => entry.runbook);
  for (const { step } of visits(runbook)) if (step.action.kind === 'runbook') names.push(step.action.id);
  return [...new Set(names)];
}

/** A runbook another one names, as far as handing it inputs goes. */
export interface NamedRunbook {
  /** The id it declares: environment files give its defaults under this id. */
  id: string;
  inputs: Record<string, InputSpec>;
}

/** What checking the inputs of sub-runs needs beyond the runbook (ParseContext.subRuns). */
export interface SubRunContext {
  /** The named runbooks, by the name they are named by; one absent is not checked (runbooksExist says why). */
  runbooks: ReadonlyMap<string, NamedRunbook>;
  /**
   * The environments a worker may run in (`name`: its DR_ENVIRONMENT, absent when unset), each with
   * the input defaults of its file (`environments/<name>.yaml`). A run's load knows its worker's;
   * `dr validate` lists a worker without DR_ENVIRONMENT and one per environment file.
   */
  environments: ReadonlyArray<{ name?: string; defaults: EnvironmentDefaults }>;
  /**
   * The run's mode, known at run start: only the sub-runs it starts must get their required inputs
   * (a live recovery is not refused over its drill set-up); a dry run checks those of the live run
   * it previews. Names a runbook does not declare are errors in every mode.
   */
  mode?: Mode;
}

/**
 * The inputs a runbook hands the runbooks it names are theirs, and every input they require is
 * given, by the entry or by each environment the sub-run may run in; else the sub-run fails at its
 * start, an hour into a drill. Not one of `rules`: it needs the other runbooks, like runbooksExist.
 */
export function subRunInputsMatch(runbook: Runbook, context: SubRunContext): LintIssue[] {
  const runs = (modes: readonly Mode[]) => context.mode === undefined || modes.includes(context.mode === 'dry-run' ? 'live' : context.mode);
  const issues: LintIssue[] = [];
  runbook.drill?.setup.forEach((entry, i) =>
    issues.push(...runInputsMatch({ name: entry.runbook, given: entry.inputs, path: ['drill', 'setup', i, 'inputs'], where: 'the drill set-up', starts: runs(['drill']), only: entry.environments }, context)),
  );
  for (const { step, path } of visits(runbook)) {
    if (step.action.kind === 'runbook') {
      issues.push(...runInputsMatch({ name: step.action.id, given: step.action.inputs, path: [...path, 'runbook', 'inputs'], where: `step "${step.id}"`, starts: runs(step.modes) }, context));
    }
  }
  return issues;
}

/**
 * The same for the runs schedules.yaml starts (`runbook:` entries; `workflow:` ones start no
 * runbook): each names a runbook of the folder, with inputs it declares and every one it requires,
 * found wrong here rather than by a failed backup at 2 a.m.
 */
export function scheduleInputsMatch(entries: ReadonlyArray<{ id: string; runbook?: string; inputs: Record<string, unknown> }>, context: SubRunContext): LintIssue[] {
  return entries.flatMap((entry, i) => {
    if (entry.runbook === undefined) return [];
    if (!context.runbooks.has(entry.runbook)) {
      const known = [...new Set([...context.runbooks.values()].map((r) => r.id))].sort();
      return [{ level: 'error' as const, rule: 'subRunInputsMatch', path: ['schedules', i, 'runbook'], message: `Unknown runbook "${entry.runbook}" in schedule "${entry.id}"; ${oneOf(known, 'the folder has no runbooks')}` }];
    }
    return runInputsMatch({ name: entry.runbook, given: entry.inputs, path: ['schedules', i, 'inputs'], where: `schedule "${entry.id}"`, starts: true, run: 'scheduled run' }, context);
  });
}

/** One run a runbook or schedule starts: names it does not declare, and required inputs nothing gives. */
function runInputsMatch(
  run: { name: string; given: Record<string, unknown>; path: Path; where: string; starts: boolean; only?: string[]; run?: string },
  context: SubRunContext,
): LintIssue[] {
  const { name, given, path, where } = run;
  const child = context.runbooks.get(name);
  if (child === undefined) return [];
  const issues: LintIssue[] = [];
  const declared = Object.keys(child.inputs);
  for (const input of Object.keys(given)) {
    if (Object.hasOwn(child.inputs, input)) continue;
    issues.push({ level: 'error', rule: 'subRunInputsMatch', path: [...path, input], message: `Unknown input "${input}" for runbook "${name}" in ${where}; ${oneOf(declared, `runbook "${name}" declares no inputs`)}` });
  }
  if (!run.starts) return issues;
  // A set-up entry limited to some environments runs only on their workers.
  const workers = run.only ? context.environments.filter((e) => e.name !== undefined && run.only!.includes(e.name)) : context.environments;
  for (const [input, spec] of Object.entries(child.inputs)) {
    if (!spec.required || spec.default !== undefined || own(given, input) !== undefined) continue;
    const gives = (e: SubRunContext['environments'][number]) => own(own(e.defaults, child.id) ?? {}, input) !== undefined;
    if (workers.every(gives)) continue;
    const head = `Runbook "${name}" requires input "${input}", not given in ${where}`;
    const fix = `expected inputs: { ${input}: ... } here`;
    const giving = workers.filter(gives).map((e) => e.name ?? 'none');
    if (giving.length === 0) {
      const files = workers.flatMap((e) => (e.name === undefined ? [] : [e.name]));
      const none = files.length === 0 ? '' : ` nor by the environment file${files.length === 1 ? '' : 's'} (${files.join(', ')})`;
      issues.push({ level: 'error', rule: 'subRunInputsMatch', path, message: `${head}${none}; ${fix}` });
      continue;
    }
    // Which environment a worker runs in is known only at run start, where this check is exact.
    const failing = workers.filter((e) => !gives(e)).map((e) => (e.name === undefined ? 'without DR_ENVIRONMENT' : `in ${e.name}`));
    const files = `the environment file${giving.length === 1 ? '' : 's'} (${giving.join(', ')}) give${giving.length === 1 ? 's' : ''}`;
    issues.push({ level: 'warning', rule: 'subRunInputsMatch', path, message: `${head}; only ${files} it, so on a worker ${failing.join(' or ')} the ${run.run ?? 'sub-run'} fails at its start; ${fix} if it runs there` });
  }
  return issues;
}

function budgetsFitRto(runbook: Runbook, report: Report): void {
  const rto = runbook.objectives.rtoMs;
  const planned = plannedMs(runbook.steps, 'live');
  if (rto !== undefined && planned > rto) {
    report('warning', ['objectives', 'rto'], `Expected the live steps' planned duration on the longest path to fit the RTO of ${formatDuration(rto)}, got ${formatDuration(planned)}`);
  }
}

/** The rules, by name (the name is each issue's `rule`). */
export const rules = { stepIdsUnique, referencesExist, secretsThroughEnv, approvalsSatisfiable, effectNotUnderstated, reasonsApply, silentGateMustAbort, drillSetupSound, budgetsFitRto };

/** Applies every rule to a runbook that passed the schema; errors first, then warnings. */
export function lintRunbook(runbook: Runbook): LintIssue[] {
  const issues: LintIssue[] = [];
  for (const [rule, check] of Object.entries(rules)) {
    check(runbook, (level, path, message) => issues.push({ level, rule, message, path }));
  }
  return [...issues.filter((i) => i.level === 'error'), ...issues.filter((i) => i.level === 'warning')];
}

/** A path as `steps[3].parallel[1].budget` (the form of zod's toDotPath). */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((seg, i) =>
      typeof seg === 'number' ? `[${seg}]` : /[^\w$]/.test(seg) ? `[${JSON.stringify(seg)}]` : i === 0 ? seg : `.${seg}`,
    )
    .join('');
}
