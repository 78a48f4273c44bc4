// A shell word's value as the program will see it: quotes removed, escapes applied, and a neutral
// placeholder for every part only known at run time (parameter, command or arithmetic expansions).
import { RUNTIME_VALUE } from './templates.js';
import { items, nodeType, type Word, type WordPart } from './mvdan-sh.js';
import type { Arg } from './types.js';

/** Backslash escapes outside quotes: `\x` is `x`. */
const unescapeBare = (s: string): string => s.replace(/\\(.)/gs, '$1');
/** Inside double quotes only `\$ \` \" \\` and a line continuation are escapes. */
const unescapeDouble = (s: string): string => s.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));

const ANSI_C: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"' };

function partValue(part: WordPart, quoted: boolean): Arg {
  switch (nodeType(part)) {
    case 'Lit': {
      const raw = part.Value ?? '';
      return { text: quoted ? unescapeDouble(raw) : unescapeBare(raw), literal: true };
    }
    case 'SglQuoted': {
      const raw = part.Value ?? '';
      if (!part.Dollar) return { text: raw, literal: true };
      // $'...': the common escapes; anything rarer (\x41, \u...) counts as not literal.
      const text = raw.replace(/\\([ntrabeEfv\\'"])/g, (_m, c: string) => ANSI_C[c] ?? c);
      return { text, literal: !/\\/.test(text) };
    }
    case 'DblQuoted': {
      const parts = (part.Parts ? items(part.Parts) : []).map((p) => partValue(p, true));
      return { text: parts.map((p) => p.text).join(''), literal: parts.every((p) => p.literal) };
    }
    default:
      return { text: RUNTIME_VALUE, literal: false };
  }
}

/** The value of a word (an argument, a redirection target, a here-document body). */
export function wordValue(word: Word, quoted = false): Arg {
  const parts = items(word.Parts).map((p) => partValue(p, quoted));
  return { text: parts.map((p) => p.text).join(''), literal: parts.every((p) => p.literal) };
}
