// Placeholders in a document's commands and text (`<project-ref>`, `$DATABASE_URL`,
// `your_database_url_here`, `backup_20240315_120000.sql`, `--token xxx`) become runbook inputs. Secret-looking
// ones are secret inputs that default to a reference (`env:NAME`), never to a value.

/** An input the importer declares, with where it was first seen. */
export interface InputDraft {
  name: string;
  /** The variable the value reaches a script by. */
  env: string;
  secret: boolean;
  required: boolean;
  default?: string;
  description: string;
  /** The placeholder as first written. */
  found: string;
  line: number;
}

export type PlaceholderKind = 'variable' | 'angle' | 'your' | 'file' | 'timestamp' | 'url' | 'filler';

const SECRET = /(^|_)(URL|URI|DSN|TOKEN|KEY|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH)(_|$)/;

/** Shell and system variables that are not the document's placeholders. */
export const SHELL_VARIABLES = new Set([
  'HOME', 'PATH', 'USER', 'PWD', 'OLDPWD', 'SHELL', 'TMPDIR', 'HOSTNAME', 'RANDOM', 'LINENO', 'UID', 'EUID', 'IFS',
  'SECONDS', 'BASH', 'BASH_SOURCE', 'TERM', 'LANG', 'EDITOR', 'PPID', 'OSTYPE', 'LOGNAME',
]);

function snake(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** The input name a placeholder maps to; undefined when it names nothing usable. */
export function inputName(kind: PlaceholderKind, found: string): string | undefined {
  let name: string;
  if (kind === 'variable') name = snake(found.replace(/^\$\{?|\}$/g, ''));
  else if (kind === 'angle') name = snake(found.slice(1, -1));
  else if (kind === 'your') name = snake(found.replace(/^your[_-]/i, '').replace(/[_-]here$/i, ''));
  else if (kind === 'timestamp') name = 'timestamp';
  else if (kind === 'url') name = `${snake(/@([^:/.]+)/.exec(found)?.[1] ?? 'database')}_url`;
  else {
    const base = found.replace(/^.*\//, '').replace(/(\.[a-z][a-z0-9]{0,4})+$/i, '');
    const stem = snake(base.replace(/\d{6,}|YYYYMMDD|HHMMSS/g, ' ').replace(/\b\d+\b/g, ' '));
    name = stem ? `${stem}_file` : 'file';
  }
  if (!/^[a-z]/.test(name)) name = name ? `input_${name}` : '';
  return name ? name.slice(0, 60) : undefined;
}

/** The inputs of one runbook, by name; one placeholder written twice is one input. */
export class InputSet {
  readonly inputs = new Map<string, InputDraft>();

  /** Declares (or finds) the input for a placeholder; undefined when the placeholder names nothing. */
  add(kind: PlaceholderKind, found: string, line: number, named?: string): InputDraft | undefined {
    const name = named === undefined ? inputName(kind, found) : inputName('angle', `<${named}>`);
    if (!name) return undefined;
    const known = this.inputs.get(name);
    if (known) return known;
    const env = name.toUpperCase();
    const secret = SECRET.test(env);
    const where = `\`${found}\` in the document (line ${line})`;
    const fromEnv = kind === 'variable' || secret;
    const draft: InputDraft = {
      name,
      env,
      secret,
      required: !fromEnv,
      default: fromEnv ? `env:${env}` : undefined,
      found,
      description: fromEnv ? `${where}; read from the worker's environment variable ${env} unless given` : `${where}, an example value: give the real one`,
      line,
    };
    this.inputs.set(name, draft);
    return draft;
  }
}
