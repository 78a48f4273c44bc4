// Other database clients: mysql (its SQL through the PostgreSQL parser: the statements that decide the
// class read the same; what does not parse is unproven) and mysqldump.
import { changesState, readOnly, unproven } from '../../runbook/effect.js';
import { harmlessTarget, parseOptions, values } from '../options.js';
import type { ProgramClassifier } from '../types.js';
import { quote } from '../types.js';

const MYSQL_VALUES = { short: 'eDhPuSr', long: ['execute', 'database', 'host', 'port', 'user', 'socket', 'defaults-file', 'defaults-extra-file', 'login-path', 'result-file', 'tables', 'ignore-table', 'where'] };

const mysql: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), MYSQL_VALUES);
  const statements = values(p, '-e', '--execute');
  if (statements.length > 0) return classify.sql(statements.map((s) => s.text).join(';\n'));
  if (c.stdin?.kind === 'text') return classify.sql(c.stdin.text);
  return unproven(`${quote(c.display)}: the SQL comes from stdin or a file, which cannot be seen`);
};

const mysqldump: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), MYSQL_VALUES);
  const file = values(p, '-r', '--result-file').filter((a) => !harmlessTarget(a.text))[0];
  return file ? changesState(`${quote(c.display)} writes the dump to ${file.text}`) : readOnly(`${quote(c.display)} only reads (dump to stdout)`);
};

export const DATABASES: Record<string, ProgramClassifier> = { mysql, mariadb: mysql, mysqldump, 'mariadb-dump': mysqldump };
