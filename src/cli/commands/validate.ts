// dr validate: checks every runbook in a folder; errors make the exit code non-zero.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { declaredId, NOT_RUNBOOKS, PEOPLE_FILE } from '../../activities/load.js';
import { ENVIRONMENTS_DIR, parseEnvironment } from '../../runbook/environment.js';
import { parsePeople } from '../../runbook/people.js';
import { parseSchedules } from '../../runbook/schedules.js';
import { scheduleInputsMatch, type NamedRunbook, type SubRunContext } from '../../runbook/lint.js';
import { formatIssue, parseRunbook, parseRunbookInputs } from '../../runbook/load.js';
import { loadParsers } from '../../safety/index.js';
import { classifyRunbook } from '../../safety/steps.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read runbooks folder ${dir}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`);
  });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * What checking the inputs runbooks hand each other needs: every runbook's inputs by the names a run
 * finds it by, and the workers a sub-run may meet: one without DR_ENVIRONMENT, one per environment
 * file (a worker reads `environments/<name>.yaml`, so only those name an environment).
 */
function subRunContext(
  dir: string,
  files: string[],
  texts: ReadonlyMap<string, string>,
  environments: Array<{ path: string; parsed: ReturnType<typeof parseEnvironment> }>,
): SubRunContext {
  const runbooks = new Map<string, NamedRunbook>();
  for (const f of files) {
    const named = parseRunbookInputs(texts.get(f)!);
    if (!named) continue;
    for (const name of [basename(f).replace(/\.ya?ml$/, ''), named.id]) if (!runbooks.has(name)) runbooks.set(name, named);
  }
  const workers = environments
    .filter(({ path }) => dirname(path) === join(dir, ENVIRONMENTS_DIR) && path.endsWith('.yaml'))
    .map(({ path, parsed }) => ({ name: basename(path, '.yaml'), defaults: parsed.defaults }));
  return { runbooks, environments: [{ defaults: {} }, ...workers] };
}

export async function validate(ctx: CommandContext, dir = ctx.config.runbooksDir): Promise<void> {
  const all = (await yamlFiles(dir)).filter((f) => !NOT_RUNBOOKS.test(basename(f)));
  // environments/<name>.yaml hold input defaults per runbook, checked after the runbooks they name.
  const isEnvironment = (f: string) => relative(dir, f).split(sep)[0] === ENVIRONMENTS_DIR;
  const files = all.filter((f) => !isEnvironment(f));
  if (files.length === 0) throw new CliError(`No runbooks (*.yaml) found in ${dir}`);
  let errors = 0;
  let warnings = 0;
  const peoplePath = join(dir, PEOPLE_FILE);
  let roles: Record<string, string[]> = {};
  if (existsSync(peoplePath)) {
    const people = parsePeople(await readFile(peoplePath, 'utf8'), relative(process.cwd(), peoplePath));
    for (const issue of [...people.errors, ...people.warnings]) ctx.print(formatIssue(issue));
    errors += people.errors.length;
    roles = people.value?.roles ?? {};
  }
  const ids = new Map<string, string>();
  const declared = new Map<string, string[]>();
  await loadParsers();
  const texts = new Map(await Promise.all(files.map(async (f) => [f, await readFile(f, 'utf8')] as const)));
  // The ids a run finds a runbook by (its file name, the id it declares): what drill set-ups and sub-runs may name.
  const runbookIds = files.flatMap((f) => [basename(f).replace(/\.ya?ml$/, ''), declaredId(texts.get(f)!) ?? '']).filter(Boolean);
  const environments = await Promise.all(
    all.filter(isEnvironment).map(async (path) => ({ path, parsed: parseEnvironment(await readFile(path, 'utf8'), relative(process.cwd(), path)) })),
  );
  const subRuns = subRunContext(dir, files, texts, environments);
  const schedulesPath = join(dir, 'schedules.yaml');
  if (existsSync(schedulesPath)) {
    const schedules = parseSchedules(await readFile(schedulesPath, 'utf8'), relative(process.cwd(), schedulesPath));
    // The runs it starts, as sub-runs are checked: runbooks of this folder, their inputs.
    const runs = scheduleInputsMatch(schedules.schedules?.schedules ?? [], subRuns).map((issue) => schedules.locate(issue));
    const found = [...schedules.errors, ...schedules.warnings, ...runs];
    for (const issue of found) ctx.print(formatIssue(issue));
    const failed = found.filter((i) => i.level === 'error').length;
    errors += failed;
    warnings += found.length - failed;
    if (failed === 0) ctx.print(`ok ${relative(process.cwd(), schedulesPath)} (schedules)`);
  }
  for (const path of files) {
    const name = relative(process.cwd(), path);
    const result = parseRunbook(texts.get(path)!, name, { roles, classify: classifyRunbook, runbookIds, subRuns });
    for (const issue of [...result.errors, ...result.warnings]) ctx.print(formatIssue(issue));
    errors += result.errors.length;
    warnings += result.warnings.length;
    const id = result.runbook?.id;
    if (id && ids.has(id)) {
      ctx.print(`${name}: runbook id "${id}" is also used by ${ids.get(id)}`);
      errors++;
    } else if (id) ids.set(id, name);
    if (result.runbook) declared.set(result.runbook.id, Object.keys(result.runbook.inputs));
    if (result.errors.length === 0) ctx.print(`ok ${name} (${id})`);
  }
  for (const { path, parsed } of environments) {
    const name = relative(process.cwd(), path);
    const problems = [...parsed.errors];
    for (const [id, inputs] of Object.entries(parsed.defaults)) {
      const known = declared.get(id);
      if (!known) problems.push(`${name} ${id}: no runbook with this id in ${relative(process.cwd(), dir) || '.'}`);
      else for (const input of Object.keys(inputs)) if (!known.includes(input)) problems.push(`${name} ${id}.${input}: unknown input; expected one of: ${known.join(', ')}`);
    }
    for (const problem of problems) ctx.print(problem);
    errors += problems.length;
    if (problems.length === 0) ctx.print(`ok ${name} (environment)`);
  }
  const summary = `${files.length} runbook(s), ${errors} error(s), ${warnings} warning(s)`;
  if (errors > 0) throw new CliError(summary);
  ctx.print(summary);
}
