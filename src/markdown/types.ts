// Shapes shared by the import stages: findings about the document, and steps drafted from it
// before they become runbook YAML.

import type { Effect } from '../runbook/effect.js';

/** What the summary says about one place in the document. */
export type NoteLevel = 'mapped' | 'unmapped' | 'warning' | 'error';

/** One finding, at a line of the source document; `runbook` names the runbook it concerns. */
export interface Note {
  level: NoteLevel;
  line: number;
  message: string;
  runbook?: string;
  /** A part left out that the importer could not say what it is: `dr import --check` fails on it. */
  unclassified?: boolean;
}

/** A clock position from a range of minutes, a range of T+ marks, or an entry of a T+ timeline. */
export type ClockKind = 'range' | 'marks' | 'timeline';

/** How a step's time was read from the document. */
export interface TimeReading {
  /** The budget chosen, in milliseconds. */
  ms: number;
  /** The words as written, e.g. "0-15 minutes", "Immediate". */
  text: string;
  /** Why the budget is not simply the number written (a range, a word like "Ongoing"). */
  note?: string;
  /** The budget is the importer's choice: the words have no number ("Immediate", "Ongoing"). */
  assumed?: boolean;
  /** A contradiction in the phrase itself (a range that runs backwards). */
  error?: string;
  /**
   * Where a range or a timeline mark puts the step on the incident clock. A range written as
   * `T+15 to T+20`, a T+ timeline, or ranges that chain (`0-15`, `15-20`) are clock positions: the
   * budget is the width. A lone range (`2-4 hours`) is an estimate: the budget is its upper bound.
   */
  clock?: { startMs: number; endMs: number; kind: ClockKind };
}

/** A step as found in the document, before ids, inputs and the approval gate are decided. */
export interface DraftStep {
  title: string;
  line: number;
  time?: TimeReading;
  /** Prose, bullets or alternatives that are kept for people to read. */
  description?: string;
  /** Commands to run (shell script form); absent for a manual step. */
  script?: string;
  /** The document line of the script's first line. */
  scriptLine?: number;
  /** Instructions for a person; used when there is no script. */
  instructions?: string;
  /** What the commands do, as the effect classifier says (read-only for a step with no commands). */
  effect: Effect;
  /** The classifier's reasons, for the summary and the YAML comment. */
  reasons: string[];
}
