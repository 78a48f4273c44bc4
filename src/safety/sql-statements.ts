// The rules for one parsed SQL statement (a libpg_query JSON tree).
import { changesState, combine, destructive, readOnly, unproven, type Verdict } from '../runbook/effect.js';
import { DESTRUCTIVE_FUNCTIONS, harmlessFunction } from './sql-functions.js';
import { quote } from './types.js';

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null;

/** Every node of a tree with the given key (`FuncCall`, `DeleteStmt`), depth first. */
function* find(tree: unknown, key: string): Generator<Node> {
  if (Array.isArray(tree)) for (const item of tree) yield* find(item, key);
  else if (isNode(tree)) {
    for (const [k, v] of Object.entries(tree)) {
      if (k === key && isNode(v)) yield v;
      yield* find(v, key);
    }
  }
}

const strings = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((n) => (isNode(n) && isNode(n.String) ? String(n.String.sval ?? '') : '')) : [];

/** Verdicts for the functions called anywhere in the tree. */
function functionVerdicts(tree: unknown, shown: string): Verdict[] {
  const out: Verdict[] = [];
  for (const call of find(tree, 'FuncCall')) {
    const parts = strings(call.funcname).map((s) => s.toLowerCase());
    const name = parts.at(-1) ?? '';
    const schema = parts.length > 1 ? parts[0] : undefined;
    const builtin = schema === undefined || schema === 'pg_catalog';
    if (builtin && DESTRUCTIVE_FUNCTIONS[name]) out.push(destructive(`${quote(shown)} calls ${name}(), which ${DESTRUCTIVE_FUNCTIONS[name]}`));
    else if (!builtin || !harmlessFunction(name)) out.push(unproven(`${quote(shown)} calls ${parts.join('.')}(), which is not a function known to change nothing`));
  }
  return out;
}

/** Data-modifying statements nested in a query (`WITH d AS (DELETE ...) SELECT`). */
function nestedWrites(tree: unknown, shown: string): Verdict[] {
  const out: Verdict[] = [];
  for (const key of ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']) {
    for (const node of find(tree, key)) out.push(statementVerdict({ [key]: node }, shown));
  }
  return out;
}

function selectVerdict(select: Node, shown: string): Verdict {
  const verdicts = [...functionVerdicts(select, shown), ...nestedWrites(select, shown)];
  if (select.intoClause) verdicts.push(changesState(`${quote(shown)} creates a table (SELECT INTO)`));
  if (select.lockingClause) verdicts.push(changesState(`${quote(shown)} locks rows (FOR UPDATE/SHARE)`));
  return verdicts.length > 0 ? combine(verdicts) : readOnly(`${quote(shown)} only reads`);
}

const TRANSACTION_READ = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START', 'TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);

export function statementVerdict(stmt: Node, shown: string): Verdict {
  const [kind, body] = Object.entries(stmt)[0] ?? ['', {}];
  const node = isNode(body) ? body : {};
  const s = quote(shown);
  switch (kind) {
    case 'SelectStmt':
      return selectVerdict(node, shown);
    case 'VariableShowStmt':
      return readOnly(`${s} only reads a setting`);
    case 'VariableSetStmt':
    case 'DiscardStmt':
      return combine([readOnly(`${s} changes only this session`), ...functionVerdicts(node, shown)]);
    case 'TransactionStmt':
      return TRANSACTION_READ.has(String(node.kind)) ? readOnly(`${s} is transaction control`) : changesState(`${s} changes a prepared transaction`);
    case 'ExplainStmt': {
      const analyze = (Array.isArray(node.options) ? node.options : []).some((o) => isNode(o) && isNode(o.DefElem) && o.DefElem.defname === 'analyze' && !isFalse(o.DefElem.arg));
      if (!analyze) return readOnly(`${s} only plans the statement`);
      return combine([changesState(`${s} runs the statement (EXPLAIN ANALYZE)`), statementVerdict(isNode(node.query) ? node.query : {}, shown)]);
    }
    case 'CopyStmt':
      if (node.is_from) return changesState(`${s} loads rows into a table`);
      if (node.is_program) return unproven(`${s} runs a program on the database server`);
      if (node.filename) return changesState(`${s} writes a file on the database server`);
      return node.query && isNode(node.query) ? statementVerdict(node.query, shown) : readOnly(`${s} only reads`);
    case 'DeleteStmt':
      return destructive(`${s} deletes rows`);
    case 'TruncateStmt':
      return destructive(`${s} empties tables`);
    case 'UpdateStmt':
      return node.whereClause ? changesState(`${s} updates rows`) : destructive(`${s} updates every row (no WHERE)`);
    case 'MergeStmt': {
      const deletes = JSON.stringify(node.mergeWhenClauses ?? []).includes('CMD_DELETE');
      return deletes ? destructive(`${s} deletes rows (MERGE ... DELETE)`) : changesState(`${s} writes rows`);
    }
    case 'AlterTableStmt': {
      const drops = JSON.stringify(node.cmds ?? []).match(/"subtype":"AT_Drop\w*"/);
      return drops ? destructive(`${s} drops part of a table`) : changesState(`${s} alters a table`);
    }
    case 'DoStmt':
    case 'CallStmt':
    case 'ExecuteStmt':
      return unproven(`${s} runs code the classifier cannot see`);
    case 'PrepareStmt':
    case 'DeclareCursorStmt':
      return isNode(node.query) ? statementVerdict(node.query, shown) : unproven(`${s} cannot be classified`);
    case 'FetchStmt':
    case 'ClosePortalStmt':
    case 'DeallocateStmt':
    case 'ListenStmt':
    case 'UnlistenStmt':
      return readOnly(`${s} changes only this session`);
    default:
      if (/^Drop/.test(kind)) return destructive(`${s} drops ${dropWhat(node)}`);
      return combine([changesState(`${s} is not a read-only query`), ...functionVerdicts(node, shown)]);
  }
}

const isFalse = (arg: unknown): boolean => isNode(arg) && JSON.stringify(arg).match(/"(sval|boolval)":\{?"?(false|off|0)/) !== null;

function dropWhat(node: Node): string {
  const type = String(node.removeType ?? '').replace(/^OBJECT_/, '').toLowerCase().replace(/_/g, ' ');
  return type ? `a ${type}` : 'an object';
}
