// One simple command: look through wrappers (`env`, `sudo`, `timeout`, `xargs`...) to the program that
// runs, then ask that program's table. A program nobody described is not read-only.
import { changesState, combine, readOnly, unproven, type Verdict } from '../runbook/effect.js';
import { harmlessTarget } from './options.js';
import { programClassifier } from './programs/index.js';
import { hasTemplate, RUNTIME_VALUE } from './templates.js';
import type { Classifiers, Command } from './types.js';
import { quote } from './types.js';
import { programName, unwrap } from './wrappers.js';

/** Team scripts named like checks: a name proves nothing about what the script does. */
const CHECK_SCRIPT = /^(verify|check|health|status|validate|smoke)/i;

export function classifyCommand(command: Command, classify: Classifiers): Verdict {
  const unwrapped = unwrap(command.args);
  const shown = quote(command.display);
  const verdicts: Verdict[] = [];
  if (unwrapped.writes && !harmlessTarget(unwrapped.writes)) verdicts.push(changesState(`${shown} writes the file ${unwrapped.writes}`));
  if (unwrapped.script) {
    verdicts.push(classify.script(unwrapped.script.text));
  } else if (unwrapped.interactive) {
    verdicts.push(unproven(`${shown} opens an interactive shell: what is typed into it cannot be seen`));
  } else {
    verdicts.push(programVerdict({ ...command, args: unwrapped.args }, classify, shown));
  }
  return combine(verdicts);
}

function programVerdict(command: Command, classify: Classifiers, shown: string): Verdict {
  const head = command.args[0];
  if (!head) return readOnly(`${shown} runs no program`);
  if (hasTemplate(head.text)) return unproven(`${shown}: the program comes from a placeholder, known only at run time`);
  if (!head.literal || head.text.includes(RUNTIME_VALUE)) return unproven(`${shown}: the program's name is only known at run time`);
  const name = programName(head);
  if (command.functions?.has(head.text)) return readOnly(`${shown} calls a function of this script (classified where it is defined)`);
  const table = programClassifier(name);
  if (table) return table(command, classify);
  if (head.text.includes('/') || /\.(sh|bash|py|rb|pl)$/.test(name)) {
    if (CHECK_SCRIPT.test(name)) return unproven(`${shown}: a script named like a check is not shown read-only by its name`);
    return unproven(`${shown}: the script's commands cannot be seen`);
  }
  return unproven(`${shown}: \`${name}\` is not a program whose effect the classifier knows`);
}
