// Shapes shared by the import stages: findings about the document, and steps drafted from it
// before they become runbook YAML.

/** What the summary says about one place in the document. */
export type NoteLevel = 'mapped' | 'unmapped' | 'warning' | 'error';

/** One finding, at a line of the source document; `runbook` names the runbook it concerns. */
export interface Note {
  level: NoteLevel;
  line: number;
  message: string;
  runbook?: string;
}

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
  /** Commands that change state (anything not known to be read-only). */
  destructive: boolean;
  /** Commands that made the step destructive, for the summary. */
  writes: string[];
}
