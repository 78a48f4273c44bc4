// Programs that run another program: `env`, `sudo`, `timeout`, `nice`, `xargs`... The classifier
// looks through them at the program that really runs.
import { RUNTIME_VALUE } from './templates.js';
import { has, parseOptions, type OptionSpec } from './options.js';
import type { Arg } from './types.js';

/** What is left after the wrappers, and what they themselves imply. */
export interface Unwrapped {
  args: Arg[];
  /** The wrappers seen, outermost first (for reasons). */
  wrappers: string[];
  /** `env -S "..."`, `sudo -s CMD`: the rest is a script, not an argv. */
  script?: Arg;
  /** `sudo -i` / `sudo -s` with no command: an interactive shell. */
  interactive?: boolean;
  /** The wrapper writes a file of its own (`time -o FILE`). */
  writes?: string;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

interface Wrapper {
  spec: OptionSpec;
  /** Leading positionals that belong to the wrapper (timeout's DURATION). */
  operands?: number;
  /** Skips VAR=value words before the program (env, sudo). */
  assignments?: boolean;
}

const WRAPPERS: Record<string, Wrapper> = {
  env: { spec: { short: 'uCS', long: ['unset', 'chdir', 'split-string'], stopAtPositional: true }, assignments: true },
  sudo: { spec: { short: 'ugCDhprtUT', long: ['user', 'group', 'close-from', 'chdir', 'host', 'prompt', 'role', 'type', 'other-user', 'command-timeout'], stopAtPositional: true }, assignments: true },
  doas: { spec: { short: 'uC', stopAtPositional: true } },
  timeout: { spec: { short: 'sk', long: ['signal', 'kill-after'], stopAtPositional: true }, operands: 1 },
  nice: { spec: { short: 'n', long: ['adjustment'], stopAtPositional: true } },
  nohup: { spec: { stopAtPositional: true } },
  time: { spec: { short: 'fo', long: ['format', 'output'], stopAtPositional: true } },
  exec: { spec: { short: 'a', stopAtPositional: true } },
  command: { spec: { stopAtPositional: true } },
  builtin: { spec: { stopAtPositional: true } },
  stdbuf: { spec: { short: 'ioe', long: ['input', 'output', 'error'], stopAtPositional: true } },
  ionice: { spec: { short: 'cnp', long: ['class', 'classdata', 'pid'], stopAtPositional: true } },
  setsid: { spec: { stopAtPositional: true } },
  busybox: { spec: { stopAtPositional: true } },
  unbuffer: { spec: { stopAtPositional: true } },
  caffeinate: { spec: { stopAtPositional: true } },
  chrt: { spec: { stopAtPositional: true }, operands: 1 },
  xargs: { spec: { short: 'ILnPsdEeal', long: ['arg-file', 'delimiter', 'eof', 'replace', 'max-lines', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'], stopAtPositional: true } },
};

/** The program's base name: `/usr/bin/sudo` is `sudo`. */
export const programName = (arg: Arg): string => arg.text.slice(arg.text.lastIndexOf('/') + 1);

export function unwrap(input: readonly Arg[]): Unwrapped {
  let args = [...input];
  const wrappers: string[] = [];
  let writes: string | undefined;
  for (;;) {
    const head = args[0];
    if (!head || !head.literal) break;
    const name = programName(head);
    const wrapper = WRAPPERS[name];
    if (!wrapper) break;
    // `nice -10 cmd`: the old form of `-n 10`.
    const rest = name === 'nice' && /^-\d+$/.test(args[1]?.text ?? '') ? args.slice(2) : args.slice(1);
    const parsed = parseOptions(rest, wrapper.spec);
    let tail = parsed.positionals.slice(wrapper.operands ?? 0);
    if (wrapper.assignments) while (tail[0] && ASSIGNMENT.test(tail[0].text)) tail = tail.slice(1);
    wrappers.push(name);
    if (name === 'time') writes = parsed.options.find((o) => o.name === '-o' || o.name === '--output')?.value?.text ?? writes;
    if (name === 'env') {
      const split = parsed.options.find((o) => o.name === '-S' || o.name === '--split-string')?.value;
      if (split) return { args: tail, wrappers, script: split, writes };
    }
    if (name === 'sudo' && has(parsed, '-i', '-s', '--login', '--shell')) {
      if (tail.length === 0) return { args: [], wrappers, interactive: true, writes };
    }
    if (name === 'command' && has(parsed, '-v', '-V')) return { args: [], wrappers, writes };
    if (name === 'xargs') {
      // xargs runs its program (echo by default) with arguments read from stdin: appended, or put in
      // place of the replace string (-I{}).
      const program = tail.length > 0 ? tail : [{ text: 'echo', literal: true }];
      const replace = parsed.options.find((o) => ['-I', '-i', '--replace'].includes(o.name))?.value?.text ?? (has(parsed, '-i', '--replace') ? '{}' : undefined);
      args = replace
        ? program.map((a) => (a.text.includes(replace) ? { text: a.text.split(replace).join(RUNTIME_VALUE), literal: false } : a))
        : [...program, { text: RUNTIME_VALUE, literal: false }];
      continue;
    }
    args = tail;
  }
  return { args, wrappers, writes };
}
