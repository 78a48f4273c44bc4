// What psql runs: SQL (classified by the PostgreSQL parser) and its own backslash meta-commands.
import { changesState, combine, destructive, readOnly, unproven, type Verdict } from '../../runbook/effect.js';
import type { Classifiers } from '../types.js';
import { quote } from '../types.js';

/** Meta-commands that only show things or set display options. */
const READ_META = /^\\(d[a-zA-Z]*\+?S?|l\+?|list|conninfo|x|timing|pset|a|t|H|f|C|T|echo|qecho|warn|q|quit|\?|h|help|encoding|c|connect|cd|if|elif|else|endif|g|gx|gset|gdesc|watch|crosstabview|sf\+?|sv\+?|z|p|print|r|reset|errverbose|s|lo_list|unset|bind|close|parse|bind_named|sendpipeline|syncpipeline|startpipeline|endpipeline|flush|flushrequest|getresults|restrict|unrestrict)$/;
/** psql settings that change how psql behaves, not what it sends. */
const SETTINGS = /^(ON_ERROR_STOP|ON_ERROR_ROLLBACK|ECHO|ECHO_HIDDEN|QUIET|VERBOSITY|SHOW_CONTEXT|FETCH_COUNT|PROMPT[123]|HISTSIZE|HISTCONTROL|AUTOCOMMIT|SINGLELINE|SINGLESTEP|COMP_KEYWORD_CASE|HIDE_TABLEAM|HIDE_TOAST_COMPRESSION)$/;

/** One backslash command (`\dt`, `\copy t from 'x.csv'`, `\! ls`). */
export function classifyMeta(line: string, classify: Classifiers): Verdict {
  const text = line.trim();
  const [name = '', ...rest] = text.split(/\s+/);
  const args = text.slice(name.length).trim();
  const shown = quote(text);
  if (name === '\\copy') {
    if (/\bfrom\b/i.test(args) && !/^\(/.test(args)) return changesState(`${shown} loads rows into a table`);
    if (/\bto\s+(stdout|pstdout)\b/i.test(args)) return classify.sql(`COPY ${args}`);
    return changesState(`${shown} writes a local file`);
  }
  if (name === '\\set') return rest.length === 0 || SETTINGS.test(rest[0] ?? '') ? readOnly(`${shown} sets a psql option`) : unproven(`${shown} sets a variable that later SQL may interpolate (not followed)`);
  if (name === '\\!') return args ? classify.script(args) : unproven(`${shown} opens a shell`);
  if (/^\\(i|ir|include|include_relative)$/.test(name)) return unproven(`${shown}: the included file's SQL cannot be seen`);
  if (/^\\(o|out|w|write|g|gx)$/.test(name) && args && !/^\|?\s*$/.test(args)) return args.startsWith('|') ? classify.script(args.slice(1)) : changesState(`${shown} writes the file ${args}`);
  if (name === '\\gexec') return unproven(`${shown} runs the query's results as SQL, which cannot be seen`);
  if (name === '\\lo_unlink') return destructive(`${shown} deletes a large object`);
  if (/^\\(lo_import|lo_export|password)$/.test(name)) return changesState(`${shown} changes data or files`);
  if (READ_META.test(name)) return readOnly(`${shown} only shows information`);
  return unproven(`${shown} is not a psql command known to be read-only`);
}

/** Inline terminators after SQL on the same line: `SELECT 1 \gx`, `... \watch 5`. */
const TRAILING_META = /\s(\\(g|gx|gset|gdesc|gexec|watch|crosstabview)\b.*)$/;

/** A psql script (here-document, stdin): SQL with meta-commands on their own lines or after SQL. */
export function classifyPsqlScript(text: string, classify: Classifiers): Verdict {
  const verdicts: Verdict[] = [];
  const sql: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trimStart();
    if (line.startsWith('\\')) {
      verdicts.push(classifyMeta(line, classify));
      continue;
    }
    const trailing = TRAILING_META.exec(line);
    if (trailing) {
      verdicts.push(classifyMeta(trailing[1]!, classify));
      sql.push(`${line.slice(0, trailing.index)};`);
    } else sql.push(line);
  }
  // psql interpolates :name, :'name' and :"name"; they stand for a literal or an identifier.
  const body = sql.join('\n').replace(/(?<![:\w]):'[A-Za-z_]\w*'/g, `'__dr_value__'`).replace(/(?<![:\w]):"[A-Za-z_]\w*"/g, '"__dr_value__"').replace(/(?<![:\w]):[A-Za-z_]\w*/g, '__dr_value__');
  if (body.trim() !== '') verdicts.push(classify.sql(body));
  return combine(verdicts);
}

/** SQL given with `psql -c`: a whole SQL string or a single backslash command. */
export function classifyPsqlCommand(text: string, classify: Classifiers): Verdict {
  return text.trimStart().startsWith('\\') ? classifyMeta(text, classify) : classify.sql(text);
}
