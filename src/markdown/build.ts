// A procedure and its draft steps → the runbook data written as YAML: ids, budgets, inputs from
// placeholders, and an approval gate (live mode) before the first step that changes state.
import { formatDuration } from '../runbook/duration.js';
import { checkRto, settleTimes } from './checks.js';
import type { Statement } from './objectives.js';
import { InputSet } from './placeholders.js';
import { rewriteScript, rewriteText } from './rewrite.js';
import type { DraftStep, Note } from './types.js';

/** A YAML comment to attach: before the node at `path`, or after it on the same line. */
export interface YamlComment {
  path: (string | number)[];
  text: string;
  inline?: boolean;
}

export interface RunbookParts {
  /** The document's name, for comments. */
  file: string;
  id: string;
  title: string;
  line: number;
  description: string;
  objectives: { rto?: Statement; rpo?: Statement };
  steps: DraftStep[];
}

/** The placeholder person in `approvers` when none is given: nobody can approve until it is replaced. */
export const NO_APPROVER = 'REPLACE-ME';
/** The on-call role of people.yaml ("Primary on-call"); the gate waits for it. */
export const ROLE = 'oncall';

/** Lower-case words joined by "-", at most `max` characters; `fallback` when nothing is left. */
export function slug(text: string, fallback: string, max = 48): string {
  // NFKD only where there is something to decompose: it is most of the cost, and ASCII is most titles.
  const plain = /[^ -~\t\n\r]/.test(text) ? text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : text;
  const words = plain.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const cut = words.length <= max ? words : words.slice(0, max).replace(/-[^-]*$/, '') || words.slice(0, max);
  return cut || fallback;
}

/** "2h", "1h30m", "24h", "0s": hours at most, as people write budgets and objectives. */
export function yamlDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 60_000 !== 0 || ms >= 1000 * 3_600_000) return formatDuration(ms);
  const hours = Math.floor(ms / 3_600_000);
  const minutes = (ms % 3_600_000) / 60_000;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}`;
}

function unique(id: string, taken: Set<string>): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate); n++) candidate = `${id}-${n}`;
  taken.add(candidate);
  return candidate;
}

/** Builds the runbook data, the comments that explain it, and notes for the summary. */
export function buildRunbook(parts: RunbookParts, approvers: readonly string[], roles: Readonly<Record<string, string[]>> = {}): { data: Record<string, unknown>; comments: YamlComment[]; notes: Note[]; plannedMs: number } {
  const { id } = parts;
  const notes: Note[] = [];
  const comments: YamlComment[] = [];
  const inputs = new InputSet();
  const times = settleTimes(parts.steps, id, notes);
  const rto = parts.objectives.rto;
  checkRto(parts.steps, times, rto?.ms === undefined ? undefined : { ms: rto.ms, line: rto.line }, id, notes);
  const ids = new Set<string>();
  const steps: Record<string, unknown>[] = [];
  const changes = (s: DraftStep) => s.effect !== 'read-only' && s.script !== undefined;
  const gateAt = parts.steps.findIndex(changes);
  parts.steps.forEach((draft, i) => {
    const stepId = unique(slug(draft.title, `step-${i + 1}`), ids);
    if (i === gateAt) {
      // Titles are the document's words: a literal "{{" must not read as a template in the instructions.
      const later = parts.steps.slice(i).filter(changes).map((s) => `"${s.title.replace(/\{\{/g, '{ {').replace(/\}\}/g, '} }')}"`);
      comments.push({ path: ['steps', steps.length], text: ' Added by the importer: live runs stop here for approval before the first step that changes state.' });
      steps.push({
        id: unique(`approve-${stepId}`, ids),
        title: `Approve the state changes from "${draft.title}" on`,
        budget: '0s',
        modes: ['live'],
        approval: { instructions: `These steps run commands that change state: ${later.join(', ')}. Check them against the incident, then approve.`, roles: [ROLE] },
      });
      notes.push({ level: 'mapped', line: draft.line, runbook: id, message: `approval gate (live mode) inserted before "${draft.title}", the first step that changes state` });
    }
    const time = times[i]!;
    const step: Record<string, unknown> = { id: stepId, title: draft.title };
    if (draft.description) step.description = draft.description;
    step.budget = yamlDuration(time.ms);
    let script = draft.script;
    if (script?.includes('{{')) {
      notes.push({ level: 'warning', line: draft.line, runbook: id, message: `step "${draft.title}": its commands contain "{{", which runbook templates would read; imported as a manual step` });
      script = undefined;
    }
    if (script !== undefined) {
      // The classifier's class, declared so a reviewer sees it; never `safeToRehearse`: imported
      // runbooks start with nothing marked safe to rehearse.
      if (draft.effect === 'destructive') step.destructive = true;
      else if (draft.effect === 'changes-state') step.effect = 'changes-state';
      const { script: text, env } = rewriteScript(script, draft.scriptLine ?? draft.line, inputs);
      step.shell = Object.keys(env).length ? { script: text, env } : { script: text };
    } else {
      step.manual = { instructions: rewriteText(draft.instructions ?? draft.script ?? draft.title, draft.line, inputs) };
    }
    const kind = script === undefined ? 'manual' : `shell (${draft.effect.replace('-', ' ')})`;
    const said = time.text ? ` (${time.text})` : '';
    const why = script !== undefined && draft.reasons.length ? `; ${draft.effect.replace('-', ' ')}: ${draft.reasons.join('; ')}` : '';
    notes.push({ level: 'mapped', line: draft.line, runbook: id, message: `step "${draft.title}"${said} → ${kind} step ${stepId}, budget ${step.budget as string}${time.note ? `; ${time.note}` : ''}${why}` });
    comments.push({ path: ['steps', steps.length], text: ` ${parts.file}:${draft.line}${time.note ? `: ${time.note}` : ''}${why ? `\n ${why.slice(2)}` : ''}` });
    steps.push(step);
  });
  const data: Record<string, unknown> = { id, title: parts.title, description: parts.description };
  const objectives: Record<string, string> = {};
  for (const name of ['rto', 'rpo'] as const) {
    const s = parts.objectives[name];
    if (s?.ms === undefined) continue;
    objectives[name] = yamlDuration(s.ms);
    comments.push({ path: ['objectives', name], text: ` "${s.text}", line ${s.line}`, inline: true });
  }
  if (Object.keys(objectives).length) data.objectives = objectives;
  if (inputs.inputs.size) {
    data.inputs = Object.fromEntries([...inputs.inputs.values()].map((i) => [i.name, { description: i.description, ...(i.required ? { required: true } : {}), ...(i.secret ? { secret: true } : {}), ...(i.default ? { default: i.default } : {}) }]));
    for (const i of inputs.inputs.values()) notes.push({ level: 'mapped', line: i.line, runbook: id, message: `placeholder \`${i.found}\` → input ${i.name}${i.secret ? ' (secret)' : ''}${i.default ? `, default ${i.default}` : ', required'}` });
  }
  // Without --approver, people.yaml's oncall role answers the gate; with neither, a placeholder nobody holds.
  if (gateAt >= 0 && (approvers.length || !roles[ROLE]?.length)) {
    data.approvers = { [ROLE]: approvers.length ? [...approvers] : [NO_APPROVER] };
    if (!approvers.length) comments.push({ path: ['approvers'], text: ` The document names no approvers: replace ${NO_APPROVER} with the people who may approve, or declare role ${ROLE} in people.yaml (or import with --approver <name>).` });
  }
  data.steps = steps;
  return { data, comments, notes, plannedMs: times.reduce((sum, t) => sum + t.ms, 0) };
}
