// Loading a runbook at the start of a run: the file is read once, by an activity, and its sha256
// recorded, so editing the file never changes a run already in flight.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ENVIRONMENTS_DIR, inputsUsed, parseEnvironment, type EnvironmentDefaults } from '../runbook/environment.js';
import { namedRunbooks, subRunInputsMatch, type NamedRunbook, type SubRunContext } from '../runbook/lint.js';
import { formatIssue, parseRunbook, parseRunbookInputs } from '../runbook/load.js';
import type { Mode, Runbook } from '../runbook/model.js';
import { EMPTY_PEOPLE, parsePeople, type People } from '../runbook/people.js';
import { loadParsers } from '../safety/index.js';
import { classifyRunbook } from '../safety/steps.js';
import { FailureTypes } from './errors.js';
import { isSecretRef, resolveSecret } from './secrets.js';
import { type LoadRunbookInput, type LoadRunbookResult } from './types.js';

export interface LoadOptions {
  /** Directory holding the runbook files (config.runbooksDir). */
  dir: string;
  /** Whether DR_NOTIFY_WEBHOOK is set (reported to the run, so it skips notifications that go nowhere). */
  defaultWebhook?: boolean;
  /** The worker's environment (DR_ENVIRONMENT): its file `<dir>/environments/<name>.yaml` gives input defaults. */
  environment?: string;
  /** Where `env:` references resolve (the worker's environment; tests inject one). */
  env?: NodeJS.ProcessEnv;
}

const YAML = /\.ya?ml$/;
/** Files beside the runbooks that are not runbooks. */
export const NOT_RUNBOOKS = /^(people|schedules)\.ya?ml$/;
/** people.yaml: roles, escalation chain and notification targets shared by all runbooks. */
export const PEOPLE_FILE = 'people.yaml';
// Ids name files: nothing that could climb out of the runbooks directory.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The runbook files (`*.yaml`, `*.yml`) directly in `dir`, as absolute paths sorted by name. */
export async function listRunbookFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && YAML.test(e.name) && !e.name.startsWith('.') && !NOT_RUNBOOKS.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

/** The id a file declares at top level (`id: database-loss`), read without a full parse. */
export function declaredId(text: string): string | undefined {
  return /^id:[ \t]*["']?([^"'\s#]+)/m.exec(text)?.[1];
}

/** Reads, hashes and validates the runbook `id`; throws RunbookNotFound or RunbookInvalid. */
export async function loadRunbook(input: LoadRunbookInput, options: LoadOptions): Promise<LoadRunbookResult> {
  const { id } = input;
  let files: string[];
  try {
    files = await listRunbookFiles(options.dir);
  } catch (err) {
    throw notFound(`Runbook "${id}" not found: cannot read the runbooks directory ${options.dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const texts = new Map<string, Buffer>();
  const read = async (path: string) => texts.get(path) ?? texts.set(path, await readFile(path)).get(path)!;

  const path = await findFile(id, files, read);
  if (path === undefined) {
    const ids = await Promise.all(files.map(async (f) => declaredId((await read(f)).toString('utf8')) ?? basename(f).replace(YAML, '')));
    const available = ids.length ? `available: ${[...new Set(ids)].sort().join(', ')}` : 'the directory has no runbook files';
    throw notFound(`Runbook "${id}" not found in ${options.dir}; ${available}`);
  }

  const bytes = await read(path);
  const file = basename(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const people = await loadPeople(options.dir);
  await loadParsers();
  // The runbooks it names (drill set-up, sub-runs) must exist: a typo fails the run at its start.
  // File names come with the listing; the ids files declare cost a read of every file, so they are
  // read only when a name is not a file's.
  const parse = (runbookIds: string[], subRuns?: SubRunContext) =>
    parseRunbook(bytes.toString('utf8'), file, { roles: people.roles, classify: classifyRunbook, runbookIds, ...(subRuns ? { subRuns } : {}) });
  let runbookIds = files.map((f) => basename(f).replace(YAML, ''));
  let parsed = parse(runbookIds);
  if (parsed.errors.some((e) => e.rule === 'runbooksExist')) {
    const declared = await Promise.all(files.map(async (f) => declaredId((await read(f)).toString('utf8'))));
    runbookIds = [...runbookIds, ...declared.filter((x): x is string => x !== undefined)];
    parsed = parse(runbookIds);
  }
  const environment = memo(() => readEnvironment(options));
  // The inputs it hands the runbooks it names must be theirs, and those they require given (here, or
  // by this worker's environment file): a misspelt name fails the run now, not an hour into a drill.
  // Only the named files are read, and the runbook is parsed again (to place the errors) only when
  // the check finds one.
  const names = parsed.runbook ? namedRunbooks(parsed.runbook) : [];
  if (parsed.runbook && names.length > 0) {
    const subRuns: SubRunContext = {
      runbooks: await readNamed(names, files, read),
      environments: [{ ...(options.environment ? { name: options.environment } : {}), defaults: (await environment()) ?? {} }],
      ...(input.mode ? { mode: input.mode } : {}),
    };
    if (subRunInputsMatch(parsed.runbook, subRuns).length > 0) parsed = parse(runbookIds, subRuns);
  }
  const { runbook, errors, warnings } = parsed;
  if (!runbook || errors.length) {
    const lines = errors.map((e) => `  ${formatIssue(e)}`);
    throw invalid(`Runbook ${file} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
  }
  if (runbook.id !== id) {
    // Found by file name but declaring another id: running it would record the wrong runbook.
    throw invalid(`Runbook ${file} declares id "${runbook.id}", expected "${id}"`);
  }
  const inputDefaults = environmentDefaults(await environment(), runbook, options);
  // A dry run resolves nothing, so it needs nothing resolvable.
  const inputProblems = input.mode && input.mode !== 'dry-run' ? checkInputsResolve(runbook, input.mode, { ...inputDefaults, ...(input.inputs ?? {}) }, options) : undefined;
  return { runbook, sha256, file, warnings, people, defaultWebhook: options.defaultWebhook ?? false, ...(options.environment ? { environment: options.environment } : {}), ...(inputDefaults ? { inputDefaults } : {}), ...(inputProblems?.length ? { inputProblems } : {}) };
}

/** `<dir>/environments/<environment>.yaml`'s defaults, by runbook id; undefined without DR_ENVIRONMENT. */
async function readEnvironment(options: LoadOptions): Promise<EnvironmentDefaults | undefined> {
  if (!options.environment) return undefined;
  const file = environmentFile(options);
  let text: string;
  try {
    text = await readFile(join(options.dir, file), 'utf8');
  } catch (err) {
    throw invalid(`DR_ENVIRONMENT is "${options.environment}" but ${join(options.dir, file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected input defaults per runbook there`);
  }
  const { defaults, errors } = parseEnvironment(text, file);
  if (errors.length) throw invalid(`${file} is invalid:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  return defaults;
}

const environmentFile = (options: LoadOptions) => join(ENVIRONMENTS_DIR, `${options.environment}.yaml`);

/** The environment's defaults for this runbook's declared inputs. */
function environmentDefaults(defaults: EnvironmentDefaults | undefined, runbook: Runbook, options: LoadOptions): Record<string, unknown> | undefined {
  const mine = defaults && Object.hasOwn(defaults, runbook.id) ? defaults[runbook.id] : undefined;
  if (!mine) return undefined;
  const unknown = Object.keys(mine).filter((name) => !Object.hasOwn(runbook.inputs, name));
  if (unknown.length) throw invalid(`${environmentFile(options)} ${runbook.id}: unknown input(s) ${unknown.join(', ')}; expected one of: ${Object.keys(runbook.inputs).join(', ')}`);
  return mine;
}

type Read = (path: string) => Promise<Buffer>;

/** The file of runbook `id`: by file name first (the convention), then by the id a file declares (a read of every file). */
async function findFile(id: string, files: string[], read: Read): Promise<string | undefined> {
  let path = SAFE_ID.test(id) ? files.find((f) => basename(f) === `${id}.yaml` || basename(f) === `${id}.yml`) : undefined;
  if (path === undefined) {
    for (const f of files) if (declaredId((await read(f)).toString('utf8')) === id) path = f;
  }
  return path;
}

/**
 * The declared inputs of the runbooks named, found as their runs will find them. A name found
 * nowhere, or a file whose inputs are invalid, is left out: runbooksExist or its own load says why.
 */
async function readNamed(names: string[], files: string[], read: Read): Promise<Map<string, NamedRunbook>> {
  const out = new Map<string, NamedRunbook>();
  for (const name of names) {
    const path = await findFile(name, files, read);
    const named = path === undefined ? undefined : parseRunbookInputs((await read(path)).toString('utf8'));
    if (named) out.set(name, named);
  }
  return out;
}

/** A function whose promise is made once, on the first call. */
function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/**
 * The inputs this run will read whose value is a reference the worker cannot resolve, each said
 * with where to set it, so the run stops before its first step rather than hours in.
 */
function checkInputsResolve(runbook: Runbook, mode: Mode, given: Record<string, unknown>, options: LoadOptions): string[] {
  const problems: string[] = [];
  for (const name of inputsUsed(runbook, mode)) {
    const value = Object.hasOwn(given, name) && given[name] !== undefined ? given[name] : runbook.inputs[name]?.default;
    if (typeof value !== 'string' || !isSecretRef(value)) continue;
    try {
      resolveSecret(value, options.env ?? process.env);
    } catch (err) {
      const where = options.environment ? `runbooks/environments/${options.environment}.yaml (${runbook.id}.${name})` : 'an environment file (DR_ENVIRONMENT)';
      const variable = value.startsWith('env:') ? `export ${value.slice(4)} on the worker, ` : '';
      problems.push(`Input "${name}" is ${value}, which the worker cannot resolve (${(err as Error).message}): ${variable}give the run {"inputs": {"${name}": "env:NAME"}} (dr start --input ${name}=env:NAME), or set it in ${where}`);
    }
  }
  return problems;
}

/** people.yaml from the runbooks directory; none is fine (roles then come from each runbook). */
export async function loadPeople(dir: string): Promise<People> {
  let text: string;
  try {
    text = await readFile(join(dir, PEOPLE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_PEOPLE;
    throw invalid(`Cannot read ${PEOPLE_FILE}: ${(err as Error).message}`);
  }
  const parsed = parsePeople(text, PEOPLE_FILE);
  if (!parsed.value) throw invalid(`${PEOPLE_FILE} is invalid:\n${parsed.errors.map((e) => `  ${formatIssue(e)}`).join('\n')}`);
  return parsed.value;
}

function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.RunbookNotFound, nonRetryable: true, message });
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.RunbookInvalid, nonRetryable: true, message });
}
