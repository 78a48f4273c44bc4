// Rewrites imported commands so placeholders reach them as environment variables ("$NAME", set
// from `{{ inputs.name }}` in the step's `env:`), never spliced into the script text; and instructions
// so placeholders read `{{ inputs.name }}`.
import { type InputSet, type PlaceholderKind, SHELL_VARIABLES } from './placeholders.js';

type Quote = 'none' | 'single' | 'double' | 'heredoc';

// Sticky (`y`): each is tried at one position of the line, without slicing the line there.
const FILE = /[\w./-]*?(?:(?:19|20)\d{6}|YYYYMMDD)[\w.-]*?\.[a-z][a-z0-9]{0,4}(?:\.[a-z0-9]{1,4})?(?![\w.$-])/iy;
/** A URL with a user and password in it: the whole URL is a secret. */
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s:@/"'`]+:[^\s@/"'`]+@[^\s"'`]+/iy;
const STAMP = /YYYY-MM-DD(?:[ T]HH:MM(?::SS)?)?(?: ?UTC|Z)?/y;
const PATTERNS: Array<[PlaceholderKind, RegExp, Quote[]]> = [
  ['variable', /\$(?:\{([A-Z_][A-Z0-9_]*)\}|([A-Z_][A-Z0-9_]*)(?![a-zA-Z0-9_]))/y, ['none', 'double', 'heredoc']],
  ['url', CREDENTIAL_URL, ['none', 'double', 'single', 'heredoc']],
  ['timestamp', STAMP, ['none', 'double', 'heredoc']],
  // `xxx` where a value goes: named after the option or key before it (`--token xxx` → token).
  ['filler', /x{3,}(?![\w-])/iy, ['none', 'double', 'single']],
  ['angle', /<[A-Za-z][\w-]*>/y, ['none']],
  // In double quotes only a name of several words (`"<recovery_target_time>"`): `"<b>"` may be markup.
  ['angle', /<[A-Za-z][A-Za-z0-9]*[_-][\w-]*>/y, ['double']],
  ['your', /your[_-][A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*/iy, ['none', 'double', 'single', 'heredoc']],
  ['file', FILE, ['none', 'double', 'heredoc']],
];
const WORD_START = /[\s=:"'(/@-]/;
/** The character each pattern starts with: most positions of a line start none, and need no regex. */
const STARTS: Record<PlaceholderKind, (c: string) => boolean> = {
  variable: (c) => c === '$',
  angle: (c) => c === '<',
  your: (c) => c === 'y' || c === 'Y',
  file: (c) => /[\w./-]/.test(c),
  filler: (c) => c === 'x' || c === 'X',
  timestamp: (c) => c === 'Y',
  url: (c) => /[a-z]/i.test(c),
};

/** An `xxx` value, named after the option or key written before it; `value` when there is none. */
function filler(before: string, found: string, line: number, inputs: InputSet) {
  const key = /(?:--?([A-Za-z][\w-]*)[\s=]+|([A-Za-z_]\w*)\s*=\s*|([A-Za-z_][\w.-]*):)["']?$/.exec(before);
  // `user:xxx` (curl -u, a DSN) is that user's password.
  return inputs.add('filler', found, line, key?.[1] ?? key?.[2] ?? (key?.[3] ? `${key[3]}_password` : 'value'));
}

/** Variables the script sets itself (`NAME=`, `read NAME`, `for NAME in`): not placeholders. */
function assigned(script: string): Set<string> {
  const names = script.matchAll(/(?:^|[\s;&|(])(?:export\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=|\b(?:read(?:\s+-\w+)*|for)\s+([A-Za-z_][A-Za-z0-9_]*)/g);
  return new Set([...names].map((m) => m[1] ?? m[2]!));
}

function reference(env: string, quote: Quote, next: string | undefined): string {
  const bare = next !== undefined && /[A-Za-z0-9_]/.test(next) ? `\${${env}}` : `$${env}`;
  if (quote === 'none') return `"${bare}"`;
  if (quote === 'single') return `'"${bare}"'`;
  return bare;
}

const atWordStart = (text: string, i: number) => i === 0 || WORD_START.test(text[i - 1]!);

/** One line of shell; returns the rewritten line. Comments are left as written. */
function rewriteLine(text: string, quote: Quote, line: number, inputs: InputSet, own: Set<string>, used: Set<string>): string {
  // The line is copied in slices, between the placeholders replaced.
  let out = '';
  let from = 0;
  let i = 0;
  const hasUrl = text.includes('://');
  while (i < text.length) {
    const c = text[i]!;
    if (quote === 'none' && c === '#' && atWordStart(text, i)) break;
    if (c === '\\' && quote !== 'single') {
      i += 2;
      continue;
    }
    let matched = false;
    for (const [kind, pattern, where] of PATTERNS) {
      if (!STARTS[kind](c) || !where.includes(quote) || (kind !== 'variable' && !atWordStart(text, i)) || (kind === 'url' && !hasUrl)) continue;
      pattern.lastIndex = i;
      const m = pattern.exec(text);
      if (!m) continue;
      const name = m[1] ?? m[2];
      if (kind === 'variable' && (own.has(name!) || SHELL_VARIABLES.has(name!))) break;
      const input = kind === 'filler' ? filler(text.slice(0, i), m[0], line, inputs) : inputs.add(kind, m[0], line);
      if (!input) break;
      used.add(input.name);
      out += text.slice(from, i) + reference(input.env, quote, text[i + m[0].length]);
      i += m[0].length;
      from = i;
      matched = true;
      break;
    }
    if (matched) continue;
    if (quote === 'none' && (c === "'" || c === '"')) quote = c === "'" ? 'single' : 'double';
    else if ((quote === 'single' && c === "'") || (quote === 'double' && c === '"')) quote = 'none';
    i++;
  }
  return out + text.slice(from);
}

/** Rewrites a script; `env` maps each variable it now reads to its input's template. */
export function rewriteScript(script: string, line: number, inputs: InputSet): { script: string; env: Record<string, string> } {
  const own = assigned(script);
  const used = new Set<string>();
  let heredoc: { end: string; literal: boolean } | undefined;
  const lines = script.split('\n').map((text, i) => {
    if (heredoc) {
      if (text.replace(/^\t+/, '') === heredoc.end) heredoc = undefined;
      else return heredoc.literal ? text : rewriteLine(text, 'heredoc', line + i, inputs, own, used);
      return text;
    }
    const rewritten = rewriteLine(text, 'none', line + i, inputs, own, used);
    const opens = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(text.replace(/<<</g, ''));
    if (opens && !text.trim().startsWith('#')) heredoc = { end: opens[2]!, literal: opens[1] !== '' };
    return rewritten;
  });
  const env = Object.fromEntries([...used].map((name) => [inputs.inputs.get(name)!.env, `{{ inputs.${name} }}`]));
  return { script: lines.join('\n'), env };
}

const TEXT_PATTERNS: Array<[PlaceholderKind, RegExp]> = [
  ['url', new RegExp(CREDENTIAL_URL.source, 'gi')],
  ['angle', /<[A-Za-z][\w-]*>/g],
  ['your', /\byour[_-][A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*/gi],
  ['timestamp', /\b(?:\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?|YYYY-MM-DD(?:[ T]HH:MM(?::SS)?)?)(?: ?UTC|Z)?/g],
  ['file', /(?<![\w$])[\w./-]*?(?:(?:19|20)\d{6}|YYYYMMDD)[\w.-]*?\.[a-z][a-z0-9]{0,4}(?:\.[a-z0-9]{1,4})?(?![\w.$-])/gi],
];

/** Instructions for people: placeholders become `{{ inputs.name }}`; a literal `{{` is broken up so it is not read as one. */
export function rewriteText(text: string, line: number, inputs: InputSet): string {
  let out = text.replace(/\{\{/g, '{ {').replace(/\}\}/g, '} }');
  for (const [kind, pattern] of TEXT_PATTERNS) {
    out = out.replace(pattern, (found) => {
      const input = kind === 'angle' && SHELL_VARIABLES.has(found.slice(1, -1).toUpperCase()) ? undefined : inputs.add(kind, found, line);
      return input ? `{{ inputs.${input.name} }}` : found;
    });
  }
  return out;
}
