// Programs that run a script given as text: `bash -c`, `su -c`, `eval`, `ssh host CMD`, `watch CMD`,
// `trap CMD SIG`, and a here-document fed to a shell. The text is classified as a script of its own.
import { combine, readOnly, unproven, type Verdict } from '../../runbook/effect.js';
import { has, parseOptions, values } from '../options.js';
import type { Arg, Classifiers, Command, ProgramClassifier } from '../types.js';
import { quote } from '../types.js';

/** A script given as text; a value only known at run time may be any script. */
function script(text: Arg | undefined, c: Command, classify: Classifiers): Verdict {
  if (!text) return unproven(`${quote(c.display)}: no script to see`);
  return classify.script(text.text);
}

/** The text the shell will read on stdin, when it is a here-document or here-string. */
function stdinScript(c: Command, classify: Classifiers): Verdict {
  if (c.stdin?.kind === 'text') return classify.script(c.stdin.text);
  if (c.stdin?.kind === 'file') return unproven(`${quote(c.display)}: the script is read from ${c.stdin.path}, which cannot be seen`);
  return unproven(`${quote(c.display)}: the shell reads its script from stdin, which cannot be seen`);
}

const shell: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), { short: 'cOo', long: ['rcfile', 'init-file'], stopAtPositional: true });
  // `bash -c STR`: getopt gives -c the next word as its value.
  const inline = p.options.find((o) => o.name === '-c');
  if (inline) return script(inline.value, c, classify);
  if (p.positionals.length > 0 && !has(p, '-s')) return unproven(`${quote(c.display)}: the script file's commands cannot be seen`);
  return stdinScript(c, classify);
};

const evalCmd: ProgramClassifier = (c, classify) => {
  const text = c.args.slice(1).map((a) => a.text).join(' ');
  return c.args.slice(1).every((a) => a.literal) ? classify.script(text) : unproven(`${quote(c.display)}: eval of text only known at run time`);
};

const source: ProgramClassifier = (c) => unproven(`${quote(c.display)}: the sourced file's commands cannot be seen`);

const su: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), { short: 'csgG', long: ['command', 'shell', 'group', 'supp-group', 'session-command'] });
  const inline = values(p, '-c', '--command', '--session-command')[0];
  return inline ? script(inline, c, classify) : stdinScript(c, classify);
};

const runuser: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), { short: 'cgGus', long: ['command', 'group', 'supp-group', 'user', 'shell'], stopAtPositional: true });
  const inline = values(p, '-c', '--command')[0];
  if (inline) return script(inline, c, classify);
  if (has(p, '-u', '--user') && p.positionals.length > 0) return classify.command({ ...c, args: p.positionals, display: c.display });
  return stdinScript(c, classify);
};

const SSH_VALUES = 'BbcDEeFIiJLlmOopQRSWw';

const ssh: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), { short: SSH_VALUES, stopAtPositional: true });
  const local = values(p, '-o').map((o) => /^(ProxyCommand|LocalCommand)[= ](.*)$/i.exec(o.text)?.[2]).filter((s): s is string => s !== undefined);
  if (local.length > 0) return combine([...local.map((text) => classify.script(text)), sshRemote(c, p.positionals, classify)]);
  return sshRemote(c, p.positionals, classify);
};

function sshRemote(c: Command, positionals: Arg[], classify: Classifiers): Verdict {
  const remote = positionals.slice(1);
  if (positionals.length === 0) return unproven(`${quote(c.display)}: no host or command`);
  if (remote.length === 0) return stdinScript(c, classify);
  // The remote shell joins the words and parses them again.
  const text = remote.map((a) => a.text).join(' ');
  if (/^\s*(sudo\s+(-\S+\s+)*)?(ba|z|da)?sh(\s+-s)?\s*$/.test(text)) return stdinScript(c, classify);
  return classify.script(text);
}

const watch: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), { short: 'nq', long: ['interval', 'equexit'], stopAtPositional: true });
  return p.positionals.length > 0 ? classify.script(p.positionals.map((a) => a.text).join(' ')) : unproven(`${quote(c.display)}: nothing to watch`);
};

const trap: ProgramClassifier = (c, classify) => {
  const handler = c.args[1];
  if (!handler || handler.text === '-' || handler.text.startsWith('-')) return readOnly(`${quote(c.display)} only lists or resets traps`);
  return script(handler, c, classify);
};

const alias: ProgramClassifier = (c) => unproven(`${quote(c.display)}: an alias changes what later commands mean`);

export const SHELLS: Record<string, ProgramClassifier> = {
  bash: shell, sh: shell, dash: shell, zsh: shell, ksh: shell,
  eval: evalCmd, source, '.': source, su, runuser, ssh, watch, trap, alias,
};
