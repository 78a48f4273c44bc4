// zod schema of a runbook file. Parsing yields the plain model in model.ts. The actions' schemas
// live in the action registry (actions.ts); this file holds what surrounds them: steps, parallel
// groups, inputs and the runbook itself.
import { z } from 'zod';
import { ACTIONS, type RegisteredKind } from './actions.js';
import { EFFECTS } from './effect.js';
import { describeValue, duration, id, shorthand } from './fields.js';
import { isSecretReference } from './inputs.js';
import { MODES, ON_FAILURE, type Action, type ActionKind, type ParallelAction, type Runbook, type Step } from './model.js';

export { duration } from './fields.js';

// A group of steps run side by side: not in the registry, since its schema holds steps.
const parallelSchema: z.ZodType<ParallelAction> = shorthand(
  (p) => (Array.isArray(p) ? { steps: p } : p),
  z.strictObject(
    { steps: z.array(z.lazy(() => stepSchema)).min(1, { message: 'Expected at least one step in the group' }) },
    { error: (issue) => (issue.code === 'invalid_type' ? `Expected a list of steps, got ${describeValue(issue.input)}` : undefined) },
  ),
).transform((p) => ({ kind: 'parallel' as const, steps: p.steps }));

const actionSchemas = {
  ...(Object.fromEntries(Object.entries(ACTIONS).map(([kind, spec]) => [kind, spec.schema])) as { [K in RegisteredKind]: (typeof ACTIONS)[K]['schema'] }),
  parallel: parallelSchema,
} satisfies Record<ActionKind, z.ZodType<Action>>;

/** The action kinds, in the order the schema lists them. */
export const ACTION_KINDS = Object.keys(actionSchemas) as ActionKind[];

const stepBase = {
  id,
  title: z.string().min(1).optional(),
  description: z.string().optional(),
  budget: duration.optional(),
  timeout: duration.optional(),
  retry: shorthand(
    (r) => (typeof r === 'number' ? { attempts: r } : r),
    z.strictObject(
      { attempts: z.number().int().min(1).default(1), backoff: duration.default(1000) },
      { error: (issue) => (issue.code === 'invalid_type' ? `Expected a number of attempts or { attempts, backoff }, got ${describeValue(issue.input)}` : undefined) },
    ),
  ).optional(),
  onFailure: z.enum(ON_FAILURE).default('abort'),
  destructive: z.boolean().default(false),
  effect: z.enum(EFFECTS, { error: (issue) => `Expected one of ${EFFECTS.join(', ')}, got ${describeValue(issue.input)}` }).optional(),
  safeToRehearse: z.string().trim().min(1, { message: 'Expected the reason the step is safe to run in a drill, got an empty text' }).optional(),
  noApproval: z.string().trim().min(1, { message: 'Expected the reason this destructive step needs no approval, got an empty text' }).optional(),
  modes: z.array(z.enum(MODES)).min(1).optional(),
};

const stepActionKeys = Object.fromEntries(
  ACTION_KINDS.map((kind) => [kind, z.unknown().optional()]),
) as Record<ActionKind, z.ZodOptional<z.ZodUnknown>>;

/** A step: common fields plus exactly one action key (`shell:`, `http:`, `manual:`, ...). */
export const stepSchema: z.ZodType<Step> = z
  .strictObject({ ...stepBase, ...stepActionKeys })
  .transform((raw, ctx): Step => {
    const present = ACTION_KINDS.filter((kind) => raw[kind] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `Expected exactly one action (${ACTION_KINDS.join(', ')}), got none`
            : `Expected exactly one action, got ${present.join(' and ')}`,
      });
      return z.NEVER;
    }
    const kind = present[0]!;
    const parsed = (actionSchemas[kind] as z.ZodType<Action>).safeParse(raw[kind]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, code: 'custom', path: [kind, ...issue.path], message: issue.message });
      }
      return z.NEVER;
    }
    const action = parsed.data;
    const budgetMs = raw.budget ?? derivedBudget(action);
    if (budgetMs === undefined) {
      ctx.addIssue({ code: 'custom', path: ['budget'], message: 'Expected `budget` (planned duration, like "15m")' });
      return z.NEVER;
    }
    const retry = { attempts: raw.retry?.attempts ?? 1, backoffMs: raw.retry?.backoff ?? 1000 };
    if (raw.destructive && raw.effect !== undefined && raw.effect !== 'destructive') {
      ctx.addIssue({ code: 'custom', path: ['effect'], message: `Expected effect: destructive (the step says destructive: true), got ${raw.effect}` });
      return z.NEVER;
    }
    const declaredEffect = raw.destructive ? 'destructive' : raw.effect;
    return {
      id: raw.id,
      title: raw.title ?? raw.id,
      description: raw.description,
      budgetMs,
      timeoutMs: raw.timeout,
      retry,
      onFailure: raw.onFailure,
      destructive: declaredEffect === 'destructive',
      declaredEffect,
      safeToRehearse: raw.safeToRehearse,
      noApproval: raw.noApproval,
      modes: raw.modes ?? [...MODES],
      action,
    };
  });

function derivedBudget(action: Action): number | undefined {
  if (action.kind === 'wait') return action.durationMs;
  if (action.kind === 'notify') return 0;
  if (action.kind === 'parallel') return Math.max(0, ...action.steps.map((s) => s.budgetMs));
  return undefined;
}

// `name: value` is shorthand for an optional input with that default.
const inputSchema = shorthand(
  (i) => (typeof i === 'string' || typeof i === 'number' || typeof i === 'boolean' ? { default: i } : i),
  z.strictObject({
    description: z.string().optional(),
    required: z.boolean().default(false),
    secret: z.boolean().default(false),
    default: z.unknown().optional(),
  }),
).superRefine((spec, ctx) => {
    if (spec.secret && spec.default !== undefined && !isSecretReference(spec.default)) {
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `Expected a secret reference like "env:NAME" or "file:/path", got a literal value`,
      });
    }
  });


// One runbook a drill runs first (`drill.setup`): an id, or { runbook, inputs, environments, budget }.
const setupSchema = shorthand(
  (e) => (typeof e === 'string' ? { runbook: e } : e),
  z.strictObject(
    {
      runbook: id,
      inputs: z.record(z.string(), z.unknown()).default({}),
      environments: z.array(id).min(1, { message: 'Expected at least one environment name, or no `environments` (every environment)' }).optional(),
      budget: duration.optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? `Expected a runbook id or { runbook, inputs, environments }, got ${describeValue(issue.input)}` : undefined) },
  ),
).transform((e) => ({ runbook: e.runbook, inputs: e.inputs, ...(e.environments ? { environments: e.environments } : {}), ...(e.budget !== undefined ? { budgetMs: e.budget } : {}) }));

/** The runbook file. */
export const runbookSchema: z.ZodType<Runbook> = z
  .strictObject({
    id,
    title: z.string().min(1),
    description: z.string().optional(),
    objectives: z.strictObject({ rto: duration.optional(), rpo: duration.optional() }).default({}),
    inputs: z.record(id, inputSchema).default({}),
    approvers: z.record(id, z.array(z.string().min(1))).default({}),
    connections: z.record(id, z.string().min(1)).default({}),
    notify: z.strictObject({ webhook: z.string().optional() }).default({}),
    drill: z.strictObject({ setup: z.array(setupSchema).default([]) }).optional(),
    steps: z.array(stepSchema).min(1, { message: 'Expected at least one step' }),
  })
  .transform((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    objectives: { rtoMs: r.objectives.rto, rpoMs: r.objectives.rpo },
    inputs: r.inputs,
    approvers: r.approvers,
    connections: r.connections,
    notify: r.notify,
    ...(r.drill?.setup.length ? { drill: { setup: r.drill.setup } } : {}),
    steps: r.steps,
  }));

/**
 * A runbook's id and inputs alone, other fields ignored: what a runbook handing it inputs (a drill
 * set-up, a `runbook:` step) is checked against, without validating the rest of its file.
 */
export const runbookInputsSchema = z.object({ id, inputs: z.record(id, inputSchema).default({}) });

export { isSecretReference } from './inputs.js';
