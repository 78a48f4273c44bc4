// The shapes shared by the shell walker, the program tables and the wiring in index.ts.
import { changesState, unproven, type Verdict } from '../runbook/effect.js';
import { hasTemplate, RUNTIME_VALUE } from './templates.js';

/** One word of a command. `literal` is false when part of it is only known at run time ($x, $(...)). */
export interface Arg {
  /** The word's value, with a placeholder where it is not literal. */
  text: string;
  literal: boolean;
}

/** What a command reads on standard input, when the classifier can see it. */
export type Stdin = { kind: 'text'; text: string } | { kind: 'file'; path: string };

/** A simple command: program and arguments, as the program will receive them. */
export interface Command {
  args: Arg[];
  /** The command as written, for reasons: "`rm -rf /data` deletes files". */
  display: string;
  stdin?: Stdin;
  /** Names of shell functions the enclosing script defines (their bodies are classified already). */
  functions?: ReadonlySet<string>;
}

/** The classifiers a program's table may call back into, wired in index.ts (no import cycle). */
export interface Classifiers {
  script(text: string): Verdict;
  command(command: Command): Verdict;
  sql(text: string): Verdict;
}

/** Classifies one program's invocation. */
export type ProgramClassifier = (command: Command, classify: Classifiers) => Verdict;

/** Words that are all literal, as a command's arguments. */
export const literal = (words: readonly string[]): Arg[] => words.map((text) => ({ text, literal: true }));

/** The text of a sub-command, for reasons: quotes words that need it. */
export function displayArgs(args: readonly Arg[]): string {
  return args.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a.text) ? a.text : `'${a.text.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A sub-command of `command` (after a wrapper or inside `kubectl exec`), keeping its context. */
export function subCommand(command: Command, args: Arg[], stdin = command.stdin): Command {
  return { args, display: displayArgs(args), stdin, functions: command.functions };
}

/** Shortens a command for a reason line. */
export function short(text: string, max = 90): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

/** "`cmd`" for reasons. */
export const quote = (text: string): string => `\`${short(text)}\``;

/** The fallback for a verb not in a program's tables: a change, unproven when the verb is a run-time value. */
export function verbChanges(shown: string, verb: string, what: string): Verdict {
  if (verb.includes(RUNTIME_VALUE) || hasTemplate(verb)) return unproven(`${shown}: the sub-command is only known at run time`);
  return changesState(`${shown} ${what} (\`${verb}\`)`);
}
