// SQL's effect, from PostgreSQL's own parser (libpg_query, as WebAssembly): read-only only when every
// statement is a query that changes nothing and every function it calls is known to be harmless.
import { setFlagsFromString } from 'node:v8';
import type * as LibPgQuery from 'libpg-query';
import { combine, unproven, type Verdict } from '../runbook/effect.js';
import { statementVerdict } from './sql-statements.js';
import { maskTemplates, unmask } from './templates.js';
import { short } from './types.js';

let loaded: Promise<void> | undefined;
let parser: typeof LibPgQuery | undefined;

/**
 * V8 flag under which the parser's WebAssembly compiles: its baseline compiler (Liftoff) only. By
 * default V8 recompiles the parser's hot functions with TurboFan, whose scratch memory glibc keeps
 * once freed: a worker ended its drills about 40 MB larger for it, with the same speed of
 * classification either way (BENCHMARKS.md, "Worker memory"). V8 flags are per process, so any
 * WebAssembly compiled later in it (fetch's HTTP parser) stays on Liftoff too; an unknown flag (a
 * future Node without it) is ignored.
 */
const WASM_COMPILE_FLAG = '--liftoff-only';

/**
 * Loads the SQL parser's WebAssembly once; after it resolves every classify* call is synchronous.
 * The package compiles its WebAssembly as it is imported, hence the import here, after the flag.
 */
export async function loadParsers(): Promise<void> {
  loaded ??= (async () => {
    setFlagsFromString(WASM_COMPILE_FLAG);
    const module = await import('libpg-query');
    await module.loadModule();
    parser = module;
  })();
  return loaded;
}

interface RawStmt {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

/** Statements split at the `;` tokens of PostgreSQL's scanner (quotes and $$ bodies respected). */
function splitStatements(pg: typeof LibPgQuery, text: string): string[] {
  let tokens: { start: number; end: number; text: string }[];
  try {
    tokens = pg.scanSync(text).tokens;
  } catch {
    return [];
  }
  const bytes = Buffer.from(text);
  const pieces: string[] = [];
  let start = 0;
  for (const token of tokens) {
    if (token.text !== ';') continue;
    pieces.push(bytes.subarray(start, token.start).toString());
    start = token.end;
  }
  pieces.push(bytes.subarray(start).toString());
  return pieces.filter((p) => p.trim() !== '');
}

/** One or more SQL statements; `{{ placeholders }}` stand for a neutral identifier. */
export function classifySql(sql: string): Verdict {
  if (!parser) throw new Error('classifySql: the SQL parser is not loaded: call loadParsers() first (and await it)');
  const { text, originals } = maskTemplates(sql);
  let stmts: RawStmt[];
  try {
    stmts = (parser.parseSync(text) as { stmts?: RawStmt[] }).stmts ?? [];
  } catch (error) {
    const failed = unproven(`\`${short(sql, 60)}\` does not parse as PostgreSQL SQL (${(error as Error).message}): its effect cannot be seen`);
    // psql sends a script's statements one by one: those before the bad one run. Show what can be seen.
    const pieces = splitStatements(parser, text);
    return pieces.length > 1 ? combine([failed, ...pieces.map((piece) => classifySql(unmask(piece, originals))).filter((v) => v.proven)]) : failed;
  }
  // Locations are byte offsets into the UTF-8 text.
  const bytes = Buffer.from(text);
  const verdicts = stmts.map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const shown = unmask(bytes.subarray(start, end).toString().trim(), originals);
    return statementVerdict(raw.stmt, shown);
  });
  return combine(verdicts);
}
