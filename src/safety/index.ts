// The effect classifier: what a shell script, a command, SQL or an HTTP request does to the systems it
// touches, derived from real parsers (mvdan/sh for bash, libpg_query for SQL). Conservative: what
// cannot be shown read-only counts as a change, with `proven: false` when the classifier fell back.
import type { Verdict } from '../runbook/effect.js';
import { classifyCommand } from './command.js';
import { classifyShell } from './shell.js';
import { classifySql, loadParsers } from './sql.js';
import type { Classifiers } from './types.js';
import { displayArgs, literal } from './types.js';

export { classifyHttp } from './http.js';
export { classifySql, loadParsers };

const classifiers: Classifiers = {
  script: (text) => classifyShell(text, classifiers),
  command: (command) => classifyCommand(command, classifiers),
  sql: classifySql,
};

/** A bash script, as run by `bash -euo pipefail -c script`. Synchronous once loadParsers() resolved (SQL inside). */
export function classifyScript(script: string): Verdict {
  return classifiers.script(script);
}

/** A command executed directly, without a shell (argv[0] is the program). */
export function classifyArgv(argv: readonly string[]): Verdict {
  const args = literal(argv);
  return classifiers.command({ args, display: displayArgs(args) });
}
