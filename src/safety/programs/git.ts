// git by sub-command, with the forms that lose work called out.
import { changesState, destructive, readOnly, unproven } from '../../runbook/effect.js';
import { parseOptions, words } from '../options.js';
import type { ProgramClassifier } from '../types.js';
import { quote, verbChanges } from '../types.js';

/** Settings that make git run a program (pager, editor, ssh, hooks, filters, aliases). */
const RUNS_COMMAND = /^(core\.(pager|editor|sshcommand|hookspath|fsmonitor|gitproxy|askpass)|pager\.|alias\.|filter\.|diff\.|credential\.|sequence\.editor|uploadpack|receivepack)/i;

const READ = new Set(['status', 'log', 'diff', 'show', 'rev-parse', 'describe', 'ls-files', 'ls-remote', 'ls-tree', 'blame', 'grep', 'shortlog', 'cat-file', 'rev-list', 'cherry', 'whatchanged', 'show-ref', 'for-each-ref', 'name-rev', 'merge-base', 'count-objects', 'fsck', 'verify-commit', 'verify-tag', 'version', 'help', 'reflog']);

const git: ProgramClassifier = (c) => {
  const global = parseOptions(c.args.slice(1), { short: 'Cc', long: ['git-dir', 'work-tree', 'namespace', 'exec-path'], stopAtPositional: true });
  const [verb, ...rest] = global.positionals;
  const runs = global.options.find((o) => o.name === '-c' && RUNS_COMMAND.test(o.value?.text ?? ''));
  if (runs) return unproven(`${quote(c.display)}: \`-c ${runs.value?.text ?? ''}\` makes git run a command that is not classified`);
  const p = parseOptions(rest, { short: 'mFCcuo', long: ['message', 'file', 'format', 'pretty', 'author', 'since', 'until', 'grep'] });
  const flags = p.options.map((o) => o.name);
  const args = words(p);
  const shown = quote(c.display);
  const v = verb?.text ?? '';
  const any = (...names: string[]) => flags.some((f) => names.includes(f));
  if (v === 'reset' && any('--hard', '--merge', '--keep')) return destructive(`${shown} discards uncommitted work`);
  if (v === 'clean' && (any('-f', '--force') || flags.some((f) => /^-[a-z]*f/.test(f)))) return destructive(`${shown} deletes untracked files`);
  if (v === 'push' && (any('-f', '--force', '--force-with-lease', '--force-if-includes', '-d', '--delete', '--mirror', '--prune') || args.some((a) => a.startsWith(':') || a.startsWith('+')))) {
    return destructive(`${shown} rewrites or deletes remote history`);
  }
  if (v === 'branch') {
    if (any('-d', '-D', '--delete')) return destructive(`${shown} deletes branches`);
    return args.length === 0 || any('-l', '--list', '-a', '-r', '--contains', '--merged', '--no-merged', '--show-current') ? readOnly(`${shown} only lists branches`) : changesState(`${shown} creates or moves a branch`);
  }
  if (v === 'tag') {
    if (any('-d', '--delete')) return destructive(`${shown} deletes tags`);
    return args.length === 0 || any('-l', '--list') ? readOnly(`${shown} only lists tags`) : changesState(`${shown} creates a tag`);
  }
  if (v === 'stash') return ['list', 'show'].includes(args[0] ?? '') ? readOnly(`${shown} only reads`) : ['drop', 'clear'].includes(args[0] ?? '') ? destructive(`${shown} deletes stashed work`) : changesState(`${shown} changes the stash`);
  if (v === 'remote') return args.length === 0 || ['show', 'get-url'].includes(args[0] ?? '') ? readOnly(`${shown} only reads`) : changesState(`${shown} changes remotes`);
  if (v === 'config') return any('--get', '--get-all', '--list', '-l', '--get-regexp') || args.length === 1 ? readOnly(`${shown} only reads`) : changesState(`${shown} changes configuration`);
  if ((v === 'checkout' || v === 'restore') && (any('-f', '--force') || args.includes('.') || rest.some((a) => a.text === '--'))) return destructive(`${shown} discards uncommitted changes`);
  if (READ.has(v)) return readOnly(`${shown} only reads`);
  return verbChanges(shown, v, 'changes the repository');
};

export const GIT: Record<string, ProgramClassifier> = { git };
