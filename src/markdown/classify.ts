// The word list the importer used before the effect classifier (src/safety) decided for it. Nothing
// in src uses it now: it is kept only as the baseline bench/classify.bench.ts measures against.

/** Programs that only read, whatever their arguments (unless they write a file, see below). */
const READERS = new Set([
  'echo', 'printf', 'cat', 'ls', 'grep', 'egrep', 'head', 'tail', 'wc', 'df', 'du', 'ping', 'dig', 'nslookup', 'host',
  'pg_isready', 'date', 'sleep', 'test', '[', '[[', 'true', 'false', 'whoami', 'env', 'uptime', 'stat', 'sha256sum',
  'md5sum', 'jq', 'sort', 'uniq', 'cut', 'awk', 'sed', 'journalctl', 'nc', 'openssl', 'which', 'free', 'ps', 'top',
  'exit', 'set', 'cd', 'pwd', 'fi', 'done', 'esac', 'export', 'local', 'for', 'case', '}', ')', '{',
]);

/** Words that introduce the command after them. */
const PREFIXES = /^((if|then|else|elif|do|while|until|time|!|\{|\()\s+)+/;

/** Sub-commands that only read, per program. */
const READ_VERBS: Record<string, RegExp> = {
  'redis-cli': /(^|\s)(ping|dbsize|info|get|mget|keys|scan|ttl|pttl|exists|type|llen|hgetall|hget|smembers|lrange|config\s+get|client\s+list|slowlog\s+get|lastsave|role|memory\s+usage)\b/i,
  aws: /^\S+\s+(ls|describe-\S+|list-\S+|get-\S+|head-object|wait)\b/,
  docker: /^(ps|logs|inspect|images|stats|top|version|info|compose\s+(ps|logs|config|top|images))\b/,
  'docker-compose': /(^|\s)(ps|logs|config|top|images|version)\b/,
  systemctl: /^(status|is-active|is-enabled|is-failed|list-units|show|cat)\b/,
  kubectl: /^(get|describe|logs|top|explain|version|cluster-info|auth\s+can-i)\b/,
  supabase: /^(status|projects\s+list|functions\s+list|migration\s+list|db\s+diff|--version)\b/,
  git: /^(status|log|diff|show|rev-parse|describe)\b/,
  find: /^(?!.*(-delete|-exec|-execdir|-ok)\b)/,
};

const KAFKA = /^kafka-(topics|consumer-groups|configs|acls|broker-api-versions|log-dirs)(\.sh)?$/;
const CHECK_SCRIPT = /^(verify|check|health|status|smoke-check|validate)[\w.-]*$/i;

/** Splits a command line into simple commands at pipes, `;`, `&&` and `||` (quotes respected). */
export function simpleCommands(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') current += text[i++] ?? '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '|' || c === ';' || (c === '&' && text[i + 1] === '&')) {
      parts.push(current);
      current = '';
      if (text[i + 1] === c) i++;
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.map((p) => p.replace(/\\\n/g, ' ').trim()).filter(Boolean);
}

function readOnlySimple(command: string): boolean {
  const bare = command.replace(PREFIXES, '');
  // An assignment is local to the script; one from a command substitution is as safe as the command.
  const substituted = /^\w+=\$\((.*)\)$/.exec(bare);
  if (substituted) return isReadOnly(substituted[1]!);
  if (/^\w+=("[^"]*"|'[^']*'|\S*)$/.test(bare)) return true;
  const words = bare.replace(/^(\w+=\S*\s+)+/, '').split(/\s+/);
  const program = (words[0] ?? '').replace(/^.*\//, '');
  const args = words.slice(1).join(' ');
  // Writing a file outside the working directory changes the machine.
  if (/(^|[^0-9&])>>?\s*\/(?!dev\/null|tmp\/)/.test(command)) return false;
  if (READERS.has(program)) return program !== 'sed' || !/(^|\s)-i/.test(args);
  if (program === 'curl') return !/(-X|--request)\s*(POST|PUT|PATCH|DELETE)|(^|\s)(-d|--data\S*|-F|--form|-T|--upload-file)(\s|=|$)/i.test(args);
  if (program === 'psql') return /(^|\s)(-c|--command)(\s+|=)["']?\s*(select|show|explain|\\d|\\l|\\dt)\b/i.test(args) && !/(^|\s)(<|-f|--file)/.test(args);
  if (KAFKA.test(program)) return /--(describe|list)\b/.test(args) && !/--(alter|create|delete|reset-offsets|execute|add|remove)\b/.test(args);
  if (READ_VERBS[program]) return READ_VERBS[program].test(args);
  // A script of the team's own whose name says it checks (./scripts/verify-database-integrity.sh).
  return CHECK_SCRIPT.test(program) && words[0]!.includes('/');
}

/** True when every simple command of `text` is known to only read. Heredocs feed a program input: not read-only. */
export function isReadOnly(text: string): boolean {
  if (/<<-?\s*['"]?\w/.test(text.replace(/<<</g, ''))) return false;
  // What a command substitution runs counts too: `echo $(rm -rf x)` is not a read.
  for (const match of text.matchAll(/\$\(([^()]*)\)|`([^`]*)`/g)) if (!isReadOnly(match[1] ?? match[2] ?? '')) return false;
  return simpleCommands(text).every(readOnlySimple);
}
