// Shell blocks → what steps do: commands become a script (its effect as the classifier says),
// comment-only blocks become instructions, "# Or ..." alternatives are kept as notes, not run.
import type { Code } from 'mdast';
import type { Effect } from '../runbook/effect.js';
import { takeParenthesizedTime } from './durations.js';
import { scriptEffect } from './effects.js';
import { shellBlockOf } from './forms.js';
import { numberedComment, type Group } from './shell.js';
import { lineOf, oneLine } from './text.js';
import type { DraftStep, Note } from './types.js';

/** What a run of groups does, before it has a title. */
export interface Action {
  script?: string;
  scriptLine?: number;
  instructions: string[];
  effect: Effect;
  reasons: string[];
  alternatives: string[];
}

/** Commands whose effect the rest of a block relies on: a working directory, exported or set variables, shell options. */
const STATE = /^\s*(?:cd|pushd|popd|export|source|\.|set\s+[-+][a-z]+|[A-Za-z_][A-Za-z0-9_]*=[^\s;&|]*\s*$)(?:\s|$)/;

const isAlternative = (g: Group) => g.commands.length > 0 && /^or\b/i.test(g.comments[0] ?? '');

/** The action of groups run as one step; `skipHead` drops the first comment (it became the title). */
export function groupsAction(groups: readonly Group[], notes: Note[], skipHead = false): Action {
  const main = groups.filter((g) => !isAlternative(g));
  const alternatives = groups.filter(isAlternative).map((g) => {
    const text = g.commands.map((c) => c.text).join('\n');
    notes.push({ level: 'unmapped', line: g.line, message: `alternative "${oneLine(g.comments[0]!)}" (${oneLine(text).slice(0, 80)}) is not run; kept in the step's description` });
    return `${g.comments.join(' ')}: ${text}`;
  });
  const commands = main.flatMap((g) => g.commands);
  const lines = main.flatMap((g, i) => (i === 0 && skipHead ? g.lines.slice(1) : g.lines));
  const scriptLine = (main[0]?.line ?? 0) + (skipHead ? 1 : 0);
  const comments = main.flatMap((g, i) => (i === 0 && skipHead ? g.comments.slice(1) : g.comments));
  if (commands.length === 0) return { instructions: comments, effect: 'read-only', reasons: [], alternatives };
  return { script: lines.join('\n'), scriptLine, instructions: [], ...classified(lines.join('\n')), alternatives };
}

/** The classifier's effect and, unless read-only, its reasons. */
export function classified(script: string): { effect: Effect; reasons: string[] } {
  const verdict = scriptEffect(script);
  return { effect: verdict.effect, reasons: verdict.effect === 'read-only' ? [] : verdict.reasons };
}

/** The action of whole blocks (the code of one numbered list item). */
export function blocksAction(codes: readonly Code[], notes: Note[]): Action {
  return groupsAction(codes.flatMap((code) => shellBlockOf(code).groups), notes);
}

function draft(title: string, line: number, action: Action, fallback: string): DraftStep {
  const { time, rest } = takeParenthesizedTime(title);
  const heading = rest || fallback;
  return {
    title: heading,
    line,
    time,
    script: action.script,
    scriptLine: action.scriptLine,
    instructions: action.script === undefined ? (action.instructions.length ? action.instructions : [heading]).join('\n') : undefined,
    description: action.alternatives.length ? action.alternatives.map((a) => `Alternative in the document, not run: ${a}`).join('\n') : undefined,
    effect: action.effect,
    reasons: action.reasons,
  };
}

/**
 * One block split into steps: at numbered comments when it has them (lines before the first one
 * are the preamble), otherwise at every comment that heads commands.
 */
export function blockSteps(code: Code, notes: Note[]): { steps: DraftStep[]; preamble: string[] } {
  const block = shellBlockOf(code);
  const runs: Group[][] = [];
  const preamble: string[] = [];
  for (const group of block.groups) {
    const starts = block.numbered ? group.number !== undefined : !isAlternative(group) || runs.length === 0;
    if (starts) runs.push([group]);
    else if (runs.length > 0) runs[runs.length - 1]!.push(group);
    else if (group.commands.length === 0) preamble.push(...group.comments);
    else runs.push([group]);
  }
  const state: string[] = [];
  let carried = false;
  const steps = runs.map((run) => {
    const head = run[0]!;
    const numbered = head.number !== undefined ? numberedComment(head.comments[0]!) : undefined;
    const title = numbered?.title ?? head.comments[0] ?? oneLine(head.commands[0]?.text ?? 'Commands').slice(0, 60);
    const action = groupsAction(run, notes, numbered !== undefined || (head.comments.length > 0 && head.commands.length > 0));
    if (action.script !== undefined && state.length > 0) {
      // Split from one block, the step would run in the worker's directory without the block's
      // earlier `cd`s and `export`s: it repeats them. scriptLine moves up so later lines keep theirs.
      const prelude = [`# Carried over from earlier in the block (${block.groups[0]!.line}): where it runs and what it exports`, ...state];
      action.script = `${prelude.join('\n')}\n${action.script}`;
      Object.assign(action, classified(action.script));
      action.scriptLine = (action.scriptLine ?? head.line) - prelude.length;
      carried = true;
    }
    state.push(...run.filter((g) => !isAlternative(g)).flatMap((g) => g.commands.filter((c) => STATE.test(c.text)).map((c) => c.text)));
    return draft(title, head.line, action, `Step ${numbered?.number ?? ''}`.trim());
  });
  if (carried) notes.push({ level: 'mapped', line: lineOf(code), message: `shell block split into ${steps.length} steps; each repeats the block's earlier \`cd\` and \`export\` lines, so it runs where the block would have` });
  else if (steps.length > 1) notes.push({ level: 'mapped', line: lineOf(code), message: `shell block split into ${steps.length} steps; none changes directory or exports for the next` });
  return { steps, preamble };
}
