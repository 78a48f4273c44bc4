// Command-line options as getopt would read them, enough to find a program's verb and the values of
// the flags that decide its effect: combined short flags (`-tAc "SQL"`), attached values (`-XDELETE`,
// `-d@file`), `--long=value`, `--long value`, and `--` ending the options.
import type { Arg } from './types.js';

export interface Option {
  /** `-c` or `--command` (as written, without the value). */
  name: string;
  /** The option's value; undefined for a flag without one. */
  value?: Arg;
}

export interface Parsed {
  options: Option[];
  /** Words that are not options, in order (after `--` everything is positional). */
  positionals: Arg[];
  /** Index in the input of the first positional (for wrappers that stop there). */
  firstPositional: number;
}

export interface OptionSpec {
  /** Short letters that take a value, e.g. 'cfdhpUv' for psql. */
  short?: string;
  /** Long names that take a value (without `--`), e.g. ['command', 'file']. */
  long?: readonly string[];
  /** Stop at the first positional: the rest belongs to another program (sudo, timeout, ssh). */
  stopAtPositional?: boolean;
}

export function parseOptions(args: readonly Arg[], spec: OptionSpec = {}): Parsed {
  const options: Option[] = [];
  const positionals: Arg[] = [];
  let firstPositional = -1;
  const short = spec.short ?? '';
  const long = new Set(spec.long ?? []);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const text = arg.text;
    if (text === '--') {
      if (firstPositional < 0) firstPositional = i + 1;
      positionals.push(...args.slice(i + 1));
      break;
    }
    // A word only partly known (`--endpoints=$EP`) is still an option: its literal start says so.
    if (!text.startsWith('-') || text === '-') {
      if (firstPositional < 0) firstPositional = i;
      if (spec.stopAtPositional) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      if (eq > 0) options.push({ name: text.slice(0, eq), value: { text: text.slice(eq + 1), literal: arg.literal } });
      else if (long.has(text.slice(2)) && i + 1 < args.length) options.push({ name: text, value: args[++i]! });
      else options.push({ name: text });
      continue;
    }
    for (let j = 1; j < text.length; j++) {
      const letter = text[j]!;
      if (!short.includes(letter)) {
        options.push({ name: `-${letter}` });
        continue;
      }
      const rest = text.slice(j + 1);
      if (rest !== '') options.push({ name: `-${letter}`, value: { text: rest, literal: arg.literal } });
      else if (i + 1 < args.length) options.push({ name: `-${letter}`, value: args[++i]! });
      else options.push({ name: `-${letter}` });
      break;
    }
  }
  if (firstPositional < 0) firstPositional = args.length;
  return { options, positionals, firstPositional };
}

/** True when any of the named options was given. */
export const has = (parsed: Parsed, ...names: string[]): boolean => parsed.options.some((o) => names.includes(o.name));

/** The values of the named options, in order. */
export const values = (parsed: Parsed, ...names: string[]): Arg[] =>
  parsed.options.filter((o) => names.includes(o.name) && o.value !== undefined).map((o) => o.value!);

/** The positional words as plain text. */
export const words = (parsed: Parsed): string[] => parsed.positionals.map((p) => p.text);

/** Paths that writing to loses nothing. */
export const harmlessTarget = (path: string): boolean => /^(\/dev\/(null|stdout|stderr|fd\/\d+)|-)$/.test(path);
