// A fenced shell block as lines: comments, commands (with their continuation lines and here-document
// bodies), and the groups a comment heads. Numbered comments ("# 1. ...", "# Step 2: ...") mark steps.
import { parsesAsShell } from './effects.js';

/** One command as written, possibly over several lines. */
export interface Command {
  text: string;
  line: number;
}

/** A run of comments and the commands after them. */
export interface Group {
  /** Comment lines before the first command (without `#`). */
  comments: string[];
  commands: Command[];
  /** The lines of the group as written (comments included), for a script. */
  lines: string[];
  line: number;
  /** The step number when the group's first comment is numbered. */
  number?: number;
}

export interface ShellBlock {
  groups: Group[];
  numbered: boolean;
  /** A `#!` first line: a script file to save, not commands to run. */
  shebang: boolean;
}

const SHELL_LANGS = new Set(['', 'bash', 'sh', 'shell', 'zsh', 'ksh', 'console', 'shell-session', 'terminal', 'shellscript']);
const PROMPTED = new Set(['console', 'shell-session', 'terminal']);
const NUMBERED = /^(?:step\s+(\d+)\s*[:.)\-–]?|(\d+)[.):])\s*(.*)$/i;
const HEREDOC = /<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/;

/** True for fences whose language is a shell (or none). */
export function isShellLang(lang: string | null | undefined): boolean {
  return SHELL_LANGS.has((lang ?? '').toLowerCase());
}

// Programs an untagged block's commands start with, in DR documents. An untagged block is shell only
// when every command reads as a program (or a path) and at least one is a program known here.
const PROGRAMS = new Set([
  'aws', 'az', 'gcloud', 'gsutil', 'kubectl', 'helm', 'terraform', 'docker', 'docker-compose', 'podman', 'systemctl', 'service',
  'journalctl', 'psql', 'pg_dump', 'pg_restore', 'pg_basebackup', 'pg_ctl', 'pg_isready', 'pgbackrest', 'wal-g', 'mysql', 'mysqldump',
  'redis-cli', 'mongo', 'mongosh', 'mongodump', 'mongorestore', 'etcdctl', 'kubeadm', 'vault', 'consul', 'nomad', 'ansible',
  'ansible-playbook', 'ssh', 'scp', 'rsync', 'curl', 'wget', 'git', 'npm', 'npx', 'yarn', 'pnpm', 'node', 'python', 'python3',
  'pip', 'make', 'sudo', 'cd', 'ls', 'cat', 'cp', 'mv', 'rm', 'mkdir', 'chmod', 'chown', 'tar', 'gzip', 'gunzip', 'zfs', 'zpool',
  'mount', 'umount', 'echo', 'export', 'source', 'grep', 'tail', 'head', 'find', 'openssl', 'dig', 'nslookup', 'ping', 'nc',
  'supabase', 'flyctl', 'heroku', 'vercel', 'dbt', 'kafka-topics.sh', 'kafka-consumer-groups.sh', 'kafka-topics',
  'kafka-consumer-groups', 'sed', 'awk', 'jq', 'date', 'sleep', 'watch', 'kill', 'pkill', 'crontab', 'drbdadm', 'eksctl', 'doctl',
]);
const COMMAND_WORD = /^(?:\.{0,2}\/[\w./-]+|[a-z_][\w.+-]*)$/;

/** The program a command line starts with, past `sudo`, `env` and `NAME=value` prefixes. */
function programOf(command: string): string {
  const words = command.trim().split(/\s+/);
  let i = 0;
  while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!) || words[i] === 'sudo' || words[i] === 'env')) i++;
  return words[i] ?? '';
}

/**
 * A fenced block that is a shell program: a shell language tag, or no tag and lines that read as
 * commands (`gcloud iam ...`), not a message template or prose ("Hi team, ...", "Title: ...").
 */
export function isShellCode(code: { lang?: string | null; value: string }): boolean {
  const lang = (code.lang ?? '').toLowerCase();
  if (lang) return SHELL_LANGS.has(lang);
  const block = readShellBlock(code.value, 1);
  const programs = block.groups.flatMap((g) => g.commands.map((c) => programOf(c.text)));
  if (programs.length === 0) return block.groups.length > 0 && block.numbered;
  return programs.every((p) => COMMAND_WORD.test(p)) && programs.some((p) => PROGRAMS.has(p) || p.includes('/')) && parsesAsShell(code.value);
}

/** "1. Restore from backup" → { number: 1, title: "Restore from backup" }. */
export function numberedComment(comment: string): { number: number; title: string } | undefined {
  const match = NUMBERED.exec(comment.trim());
  return match ? { number: Number(match[1] ?? match[2]), title: match[3]!.trim() } : undefined;
}

/** Splits a block into groups; `line` is the line of the block's first content line. */
export function readShellBlock(code: string, line: number, lang?: string | null): ShellBlock {
  const prompted = PROMPTED.has((lang ?? '').toLowerCase());
  const lines = code.split('\n');
  const groups: Group[] = [];
  let group: Group | undefined;
  let command: Command | undefined;
  let heredoc: { end: string; dash: boolean } | undefined;
  let continued = false;
  let numbered = false;
  const shebang = /^#!/.test(lines[0] ?? '');
  lines.forEach((raw, i) => {
    const at = line + i;
    if (heredoc || continued) {
      command!.text += `\n${raw}`;
      group!.lines.push(raw);
      if (heredoc && (heredoc.dash ? raw.replace(/^\t+/, '') : raw) === heredoc.end) heredoc = undefined;
      else if (!heredoc) continued = /\\$/.test(raw);
      if (!heredoc && !continued) heredoc = opensHeredoc(command!.text);
      return;
    }
    let text = raw;
    if (prompted) {
      if (!/^\s*[$#]\s/.test(raw)) return; // output, not a command
      text = /^\s*\$\s/.test(raw) ? raw.replace(/^\s*\$\s/, '') : raw;
    }
    const trimmed = text.trim();
    if (trimmed === '' || (i === 0 && shebang)) return;
    if (trimmed.startsWith('#')) {
      const comment = trimmed.replace(/^#+\s?/, '');
      const number = numberedComment(comment)?.number;
      if (!group || group.commands.length > 0 || number !== undefined) {
        group = { comments: [], commands: [], lines: [], line: at, number };
        groups.push(group);
        numbered ||= number !== undefined;
      }
      if (group.commands.length === 0) group.comments.push(comment);
      group.lines.push(text);
      return;
    }
    if (!group) groups.push((group = { comments: [], commands: [], lines: [], line: at }));
    command = { text, line: at };
    group.commands.push(command);
    group.lines.push(text);
    continued = /\\$/.test(text);
    heredoc = continued ? undefined : opensHeredoc(text);
  });
  return { groups, numbered, shebang };
}

function opensHeredoc(text: string): { end: string; dash: boolean } | undefined {
  const last = text.slice(text.lastIndexOf('\n') + 1);
  const match = HEREDOC.exec(last.replace(/<<</g, ''));
  return match ? { end: match[3]!, dash: match[1] === '-' } : undefined;
}
