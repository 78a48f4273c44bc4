// Templating of step fields: `{{ inputs.name }}`, `{{ steps.dump.output.path }}`, `{{ run.id }}`.
// A lookup language only (no expressions, no code), so it is safe in workflow code and lintable.

/** What a template can refer to while a run is in progress. */
export interface TemplateContext {
  inputs: Record<string, unknown>;
  steps: Record<string, { output?: unknown; status?: string }>;
  /** `incidentAt`: ISO time of the incident (RPO), the run's start unless the run was given one. */
  run: { id: string; mode: string; runbook: string; incidentAt?: string };
}

/** A reference that cannot be resolved, or an expression that is not a reference. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    /** The placeholder as written, e.g. `{{ steps.dump.output.path }}`. */
    readonly reference: string,
    reason: string,
  ) {
    super(`Unknown reference \`${reference}\`: ${reason}`);
  }
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const EXPRESSION = /^\s*([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\s*(?:\|\s*default\(\s*(?:"([^"]*)"|'([^']*)')\s*\)\s*)?$/;
const RUN_FIELDS = ['id', 'mode', 'runbook', 'incidentAt'] as const;

interface Parsed {
  path: string[];
  fallback?: string;
}

function parse(placeholder: string, inner: string): Parsed {
  const match = EXPRESSION.exec(inner);
  if (!match) {
    throw new TemplateError(placeholder, 'expected a reference like inputs.name, steps.<id>.output.<field>, steps.<id>.status or run.id');
  }
  return { path: match[1]!.split('.'), fallback: match[2] ?? match[3] };
}

function missing(placeholder: string, parsed: Parsed, reason: string): unknown {
  if (parsed.fallback !== undefined) return parsed.fallback;
  throw new TemplateError(placeholder, reason);
}

function lookup(placeholder: string, inner: string, ctx: TemplateContext): unknown {
  const parsed = parse(placeholder, inner);
  const [root, name, field, ...rest] = parsed.path;
  if (root === 'inputs' && name !== undefined) {
    if (!Object.hasOwn(ctx.inputs, name)) return missing(placeholder, parsed, `no input "${name}" was given`);
    return dig(placeholder, parsed, ctx.inputs[name], parsed.path.slice(2), `input "${name}"`);
  }
  if (root === 'run' && name !== undefined && parsed.path.length === 2 && (RUN_FIELDS as readonly string[]).includes(name)) {
    return ctx.run[name as (typeof RUN_FIELDS)[number]] ?? missing(placeholder, parsed, `the run has no ${name}`);
  }
  if (root === 'steps' && name !== undefined && (field === 'output' || (field === 'status' && rest.length === 0))) {
    const step = Object.hasOwn(ctx.steps, name) ? ctx.steps[name] : undefined;
    if (step === undefined) return missing(placeholder, parsed, `no step "${name}" has finished`);
    if (field === 'status') return step.status ?? missing(placeholder, parsed, `step "${name}" has no status`);
    return dig(placeholder, parsed, step.output, rest, `step "${name}" output`);
  }
  throw new TemplateError(placeholder, 'expected inputs.<name>, steps.<id>.output[.<field>...], steps.<id>.status, run.id, run.mode, run.runbook or run.incidentAt');
}

function dig(placeholder: string, parsed: Parsed, value: unknown, path: string[], what: string): unknown {
  let current = value;
  for (const [i, key] of path.entries()) {
    const next = current !== null && typeof current === 'object' && Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    if (next === undefined) return missing(placeholder, parsed, `${what} has no field "${path.slice(0, i + 1).join('.')}"`);
    current = next;
  }
  return current === undefined ? missing(placeholder, parsed, `${what} is empty`) : current;
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function renderString(text: string, ctx: TemplateContext): string {
  return text.replace(PLACEHOLDER, (placeholder, inner: string) => stringify(lookup(placeholder, inner, ctx)));
}

/** The value of a string that is exactly one placeholder, or undefined when it is not one. */
function soleValue(text: string, ctx: TemplateContext): { value: unknown } | undefined {
  const matches = [...text.matchAll(PLACEHOLDER)];
  if (matches.length !== 1 || matches[0]![0] !== text) return undefined;
  return { value: lookup(text, matches[0]![1]!, ctx) };
}

/** Renders every string inside a JSON-like value (object keys are left alone); throws TemplateError. */
export function renderTemplate<T>(value: T, ctx: TemplateContext): T {
  if (typeof value === 'string') return renderString(value, ctx) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => renderTemplate(item, ctx)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderTemplate(item, ctx)])) as T;
  }
  return value;
}

/**
 * Renders an argv list. An element that is exactly one placeholder whose value is a list becomes
 * one element per item; values are never split on whitespace, so nothing is re-parsed by a shell.
 */
export function renderArgv(argv: string[], ctx: TemplateContext): string[] {
  return argv.flatMap((arg) => {
    const sole = soleValue(arg, ctx);
    if (sole === undefined) return [renderString(arg, ctx)];
    return Array.isArray(sole.value) ? sole.value.map(stringify) : [stringify(sole.value)];
  });
}

/** The placeholders of one string: the reference as written and whether it has a default. */
export function templatePlaceholders(text: string): Array<{ placeholder: string; reference: string; hasDefault: boolean }> {
  return [...text.matchAll(PLACEHOLDER)].map((m) => {
    const [reference = '', fallback] = m[1]!.split('|', 2);
    return { placeholder: m[0], reference: reference.trim(), hasDefault: fallback !== undefined };
  });
}

/** Every reference in a value's strings, without braces or default (`steps.dump.output.path`). */
export function templateReferences(value: unknown): string[] {
  if (typeof value === 'string') return templatePlaceholders(value).map((p) => p.reference);
  if (Array.isArray(value)) return value.flatMap(templateReferences);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(templateReferences);
  return [];
}
