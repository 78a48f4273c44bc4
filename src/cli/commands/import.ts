// dr import: a Markdown DR document → runbook YAML files, with a summary of what was mapped and what
// was not. Imported commands are never run. Contradictions in the document make the exit code non-zero,
// and with --check so do parts the importer could not classify.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { decodeDocument, DocumentError, importMarkdown, loadParsers } from '../../markdown/index.js';
import { countNotes, formatSummary } from '../../markdown/summary.js';
import { parsePeople } from '../../runbook/people.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export interface ImportOptions {
  /** Folder to write runbooks to (default: the runbooks folder). */
  out?: string;
  /** Report only: write nothing. */
  check?: boolean;
  /** Also import sections whose only structure is shell commands. */
  all?: boolean;
  /** Replace files that exist. */
  force?: boolean;
  /** People who may approve the gate before destructive steps. */
  approver?: string[];
  /** Leave the list of mapped findings out of the summary. */
  quiet?: boolean;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

/** Imports `doc`; throws CliError when it cannot be read, would overwrite files, or contradicts itself. */
export async function importDocument(ctx: CommandContext, doc: string, o: ImportOptions = {}): Promise<void> {
  const bytes = await readFile(doc).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read ${doc}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a folder' : err.message}`);
  });
  const file = basename(doc);
  const decoded = decodeDocument(bytes);
  const dir = o.out ?? ctx.config.runbooksDir;
  // The runbooks will be loaded with people.yaml beside them: its roles answer the approval gates.
  const people = await readFile(join(dir, 'people.yaml'), 'utf8').then((text) => parsePeople(text, 'people.yaml').value, () => undefined);
  await loadParsers();
  let result;
  try {
    result = importMarkdown(decoded.text, { file, all: o.all, approvers: o.approver, roles: people?.roles });
  } catch (err) {
    if ((err as Error)?.name === 'DocumentError') throw new CliError(`${doc}: ${(err as DocumentError).message}`);
    throw err;
  }
  result.notes.unshift(...decoded.notes);
  const shown = relative(process.cwd(), dir) || '.';
  if (!o.check && result.runbooks.length) {
    const paths = result.runbooks.map((r) => join(dir, r.fileName));
    const taken = o.force ? [] : (await Promise.all(paths.map(async (p) => ((await exists(p)) ? p : undefined)))).filter(Boolean);
    if (taken.length) throw new CliError(`Not overwriting ${taken.map((p) => relative(process.cwd(), p!)).join(', ')}`, `dr import ${doc} --force replaces them; --check writes nothing`);
    await mkdir(dir, { recursive: true });
    for (const [i, r] of result.runbooks.entries()) await writeFile(paths[i]!, r.yaml);
  }
  ctx.print(formatSummary(result, file, o.check ? `found (--check: nothing written)` : `written to ${shown}/`, !o.quiet));
  if (result.runbooks.length === 0) throw new CliError(`No scenario or procedure found in ${doc}`);
  const errors = countNotes(result.notes).error;
  // In CI (--check) a part the importer could not say anything about fails too: it may hold steps.
  const unclassified = o.check ? result.notes.filter((n) => n.unclassified).length : 0;
  if (errors > 0 || unclassified > 0) {
    const found = [errors ? `${errors} contradiction(s)` : '', unclassified ? `${unclassified} part(s) the importer could not classify` : ''].filter(Boolean).join(' and ');
    throw new CliError(`${found} in ${doc}${o.check ? '' : ` (the runbooks were written; fix the document or the runbooks)`}`);
  }
}
