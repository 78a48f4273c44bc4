// An EasyMO-shaped database of any size for benchmarks (pgbench's one table is the other shape): the
// demo schema of runbooks/demo/easymo-demo.sql (users, transactions, messages; foreign keys,
// indexes, row-level security), filled with rows whose values spread like a payments and chat
// service's (skewed activity per user, mixed currencies, chat text in three languages), so that
// compression and loading several tables at once matter. The same seed gives the same rows.
//
//   node --import tsx bench/easymo-data.ts --url postgres://127.0.0.1:5432/db --size 1GB [--seed 1]
//
// The three tables load at once through psql COPY sessions fed by generated streams; keys and
// indexes are taken off first and rebuilt after (as pg_restore does), then sequences and ANALYZE.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';

const DEMO_SQL = resolve(import.meta.dirname, '..', 'runbooks', 'demo', 'easymo-demo.sql');

/** Rows per GB of database (tables and indexes), measured on PostgreSQL 15 with seed 1. */
const PER_GB = { users: 250_000, transactions: 5_500_000, messages: 2_400_000 };

export interface EasymoCounts {
  users: number;
  transactions: number;
  messages: number;
}

/** `1GB`, `250MB`, `512kB`, or plain bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|TB)?$/i.exec(text.trim());
  if (!m) throw new Error(`Expected a size like 1GB or 250MB, got \`${text}\``);
  const unit = (m[2] ?? 'B').toUpperCase();
  const factor = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[unit]!;
  return Math.round(Number(m[1]) * factor);
}

/** Row counts that make a database of about `bytes`. */
export function countsFor(bytes: number): EasymoCounts {
  const f = bytes / 1e9;
  return {
    users: Math.max(10, Math.round(PER_GB.users * f)),
    transactions: Math.max(10, Math.round(PER_GB.transactions * f)),
    messages: Math.max(10, Math.round(PER_GB.messages * f)),
  };
}

/** sfc32: small, fast, good enough for data; one stream per table keeps the loads independent. */
function prng(seed: number, stream: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ stream;
  let c = 0xb7e15162;
  let d = 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

const FIRST = [
  'Jean', 'Marie', 'Eric', 'Claudine', 'Patrick', 'Aline', 'Emmanuel', 'Diane', 'Olivier', 'Grace', 'Innocent', 'Chantal',
  'Didier', 'Josiane', 'Fabrice', 'Solange', 'Janvier', 'Clarisse', 'Alexis', 'Vestine', 'Theogene', 'Yvonne', 'Aimable',
  'Immaculee', 'Samuel', 'Esther', 'David', 'Sarah', 'Kevin', 'Brenda', 'Moses', 'Aisha', 'Hassan', 'Fatuma', 'Peter',
  'Joy', 'Gilbert', 'Divine', 'Cedric', 'Alice', 'Pacifique', 'Ange', 'Thierry', 'Nadine', 'Yves', 'Sandrine', 'Jules',
  'Françoise', 'Célestin', 'Agnès', 'Noël', 'Béatrice', 'Gaël', 'Amani', 'Keza', 'Ishimwe', 'Mugisha', 'Uwase', 'Ineza',
];
const LAST = [
  'Mugabo', 'Uwimana', 'Niyonzima', 'Habimana', 'Mukamana', 'Nshimiyimana', 'Uwase', 'Hakizimana', 'Nyirahabimana', 'Ndayisaba',
  'Mutesi', 'Bizimana', 'Ingabire', 'Twagirayezu', 'Murekatete', 'Kayitesi', 'Gasana', 'Munyaneza', 'Iradukunda', 'Tuyisenge',
  'Nkurunziza', 'Ntaganda', 'Rukundo', 'Umutoni', 'Kamanzi', 'Karangwa', 'Mukeshimana', 'Nsengiyumva', 'Uwera', 'Byiringiro',
  'Okello', 'Mwangi', 'Otieno', 'Kato', 'Nakato', 'Ochieng', 'Mensah', 'Diallo', 'Dusabe', 'Irakoze', 'Manzi', 'Rwigema',
];
const WORDS = (
  'hello hi muraho mwaramutse mwiriwe bonjour salut yego oya sawa ok okay thanks murakoze merci please nyamuneka ' +
  'order ordered delivery deliver driver moto taxi ride pickup dropoff location pin address street Kigali Remera Kimironko ' +
  'Nyamirambo Kacyiru Kicukiro Gisozi Musanze Huye Rubavu market shop pharmacy restaurant bar menu food brochette isombe ' +
  'ibirayi inyama amata icyayi coffee bread sugar rice beans fuel gas airtime bundle MoMo mobile money payment paid pay ' +
  'send sent receive received balance refund price cost cheap expensive discount code promo today tomorrow now later ' +
  'tonight morning evening minutes hour wait waiting arrived arriving coming here there where when how much what why ' +
  'can could would need want have has is are was be the a an to for of in on at with from my your our their this that ' +
  'yes no maybe sure great good nice bad late early fast slow quickly soon call me back number phone whatsapp message ' +
  'je tu vous nous est suis avec pour dans sur le la les un une des merci beaucoup demain aujourdhui combien prix ' +
  'ndagukunda ndashaka nshaka ngwino ndaje ndi hehe ryari angahe amafaranga neza cyane buhoro vuba ejo uyu munsi ' +
  'insurance vehicle plate quote policy renew cover claim ticket bus seat booking booked cancel cancelled confirm confirmed'
).split(' ');
const EMOJI = ['🙏', '👍', '😊', '😂', '🚕', '🛵', '💰', '✅', '❤️', '🔥'];
const CURRENCIES = [
  ['RWF', 0.92],
  ['USD', 0.97],
  ['EUR', 0.985],
  ['UGX', 0.993],
  ['KES', 1],
] as const;

// Timestamps: users sign up over three years, transactions and messages follow the service's growth.
const EPOCH = Date.UTC(2023, 0, 1);
const SPAN = 3 * 365 * 86_400_000;
const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');

/** A user id skewed towards early, active users (about a fifth of users make half the traffic). */
const activeUser = (r: () => number, users: number) => 1 + Math.min(users - 1, Math.floor(users * Math.pow(r(), 2.2)));

/** Later ids get later times: a growing service, with a few minutes of jitter. */
const timeOf = (r: () => number, i: number, n: number) => EPOCH + Math.floor(SPAN * Math.sqrt((i + r()) / n)) + Math.floor(r() * 600_000);

function* usersRows(n: number, seed: number): Generator<string> {
  const r = prng(seed, 1);
  for (let id = 1; id <= n; id++) {
    // A bijection on 8 digits: every phone unique, none sequential.
    const phone = `+2507${String((id * 48_271 + 12_345_678) % 100_000_000).padStart(8, '0')}`;
    const name = r() < 0.12 ? `${pick(r, FIRST)} ${pick(r, FIRST)} ${pick(r, LAST)}` : `${pick(r, FIRST)} ${pick(r, LAST)}`;
    yield `${id}\t${phone}\t${name}\t${stamp(EPOCH + Math.floor((SPAN * (id - 1 + r())) / n))}\n`;
  }
}

function* transactionRows(n: number, users: number, seed: number): Generator<string> {
  const r = prng(seed, 2);
  for (let id = 1; id <= n; id++) {
    const c = r();
    const currency = CURRENCIES.find(([, p]) => c < p)![0];
    let amount: string;
    if (currency === 'RWF' || currency === 'UGX') {
      // Mostly round amounts from 100 to ~2M, log-spread; sometimes exact.
      const v = Math.exp(Math.log(100) + r() * (Math.log(2_000_000) - Math.log(100)));
      amount = r() < 0.7 ? String(Math.max(100, Math.round(v / 100) * 100)) : v.toFixed(0);
    } else amount = (1 + Math.exp(r() * Math.log(2000))).toFixed(2);
    if (r() < 0.03) amount = `-${amount}`; // refunds and reversals
    yield `${id}\t${activeUser(r, users)}\t${amount}\t${currency}\t${stamp(timeOf(r, id, n))}\n`;
  }
}

function body(r: () => number): string {
  const words = 2 + Math.floor(-Math.log(1 - r()) * 9); // geometric: mostly short, a few long
  const out: string[] = [];
  for (let w = 0; w < words; w++) {
    const x = r();
    if (x < 0.04) out.push(String(Math.floor(r() * 50_000)));
    else if (x < 0.05) out.push(`#${Math.floor(r() * 36 ** 6).toString(36).toUpperCase()}`);
    else if (x < 0.06) out.push(pick(r, EMOJI));
    else out.push(pick(r, WORDS));
    if (r() < 0.015) out.push('\\n'); // a line break, escaped for COPY text
  }
  const text = out.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + (r() < 0.3 ? '?' : r() < 0.5 ? '.' : '');
}

function* messageRows(n: number, users: number, seed: number): Generator<string> {
  const r = prng(seed, 3);
  for (let id = 1; id <= n; id++) yield `${id}\t${activeUser(r, users)}\t${body(r)}\t${stamp(timeOf(r, id, n))}\n`;
}

/** Lines joined into ~256 kB chunks: one write per chunk, not per row. */
function chunked(rows: Generator<string>): Readable {
  return Readable.from(
    (function* () {
      let parts: string[] = [];
      let size = 0;
      for (const row of rows) {
        parts.push(row);
        size += row.length;
        if (size >= 262_144) {
          yield Buffer.from(parts.join(''));
          parts = [];
          size = 0;
        }
      }
      if (parts.length) yield Buffer.from(parts.join(''));
    })(),
  );
}

/** Streams the rows into `table` through one psql COPY session. */
async function copyInto(url: string, table: string, columns: string, rows: Generator<string>): Promise<void> {
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY ${table} (${columns}) FROM STDIN`, url], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  psql.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((done) => psql.on('close', done));
  await pipeline(chunked(rows), psql.stdin).catch(() => undefined); // a psql that died says why below
  const code = await exited;
  if (code !== 0) throw new Error(`COPY ${table} failed (psql exit ${code}): ${stderr.trim()}`);
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs the statements over `sessions` connections at once, each statement once, in order of the list. */
async function runParallel(url: string, statements: string[], sessions: number): Promise<void> {
  const queue = [...statements];
  await Promise.all(
    Array.from({ length: sessions }, () =>
      withClient(url, async (c) => {
        await c.query(`SET maintenance_work_mem = '256MB'`);
        for (let s = queue.shift(); s !== undefined; s = queue.shift()) await c.query(s);
      }),
    ),
  );
}

/**
 * Creates the demo schema in the (empty) database at `url` and fills it to about `size` bytes.
 * Resolves with the row counts and the database's size.
 */
export async function makeEasymoDatabase(url: string, options: { size: number; seed?: number; sessions?: number }): Promise<EasymoCounts & { bytes: number }> {
  const seed = options.seed ?? 1;
  const n = countsFor(options.size);
  const demo = readFileSync(DEMO_SQL, 'utf8');
  const ddl = demo.slice(0, demo.search(/^INSERT INTO/m)); // the schema, without the demo's rows
  const rebuild = await withClient(url, async (c) => {
    const exists = await c.query(`SELECT to_regclass('public.users') IS NOT NULL AS x`);
    if (exists.rows[0].x) throw new Error(`Expected an empty database, but ${url.replace(/\/\/[^@]*@/, '//')} already has a users table`);
    await c.query(ddl);
    // Keys and indexes off while rows load, back on after: each built once, on all the rows.
    const q = (sql: string) => c.query<{ rel: string; name: string; def: string }>(sql).then((x) => x.rows);
    const keys = await q(`SELECT conrelid::regclass::text AS rel, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
                          WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f') ORDER BY conname`);
    const indexes = await q(`SELECT i.indrelid::regclass::text AS rel, c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
                             JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'public'::regnamespace
                             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname`);
    const foreign = keys.filter((k) => k.def.startsWith('FOREIGN'));
    const unique = keys.filter((k) => !k.def.startsWith('FOREIGN'));
    for (const k of [...foreign, ...unique]) await c.query(`ALTER TABLE ${k.rel} DROP CONSTRAINT ${k.name}`);
    for (const i of indexes) await c.query(`DROP INDEX ${i.name}`);
    const add = (k: { rel: string; name: string; def: string }) => `ALTER TABLE ${k.rel} ADD CONSTRAINT ${k.name} ${k.def}`;
    return { first: [...unique.map(add), ...indexes.map((i) => i.def)], last: foreign.map(add) };
  });
  await Promise.all([
    copyInto(url, 'users', 'id, phone, name, created_at', usersRows(n.users, seed)),
    copyInto(url, 'transactions', 'id, user_id, amount, currency, created_at', transactionRows(n.transactions, n.users, seed)),
    copyInto(url, 'messages', 'id, sender_id, body, created_at', messageRows(n.messages, n.users, seed)),
  ]);
  const sessions = options.sessions ?? 2;
  await runParallel(url, rebuild.first, sessions);
  await runParallel(url, rebuild.last, sessions);
  return withClient(url, async (c) => {
    for (const t of ['users', 'transactions', 'messages']) await c.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}))`);
    await c.query('VACUUM ANALYZE');
    const size = await c.query<{ s: string }>('SELECT pg_database_size(current_database()) AS s');
    return { ...n, bytes: Number(size.rows[0]!.s) };
  });
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const url = opt('--url');
  if (!url) {
    console.error('usage: node --import tsx bench/easymo-data.ts --url <postgres url of an empty database> --size 1GB [--seed 1]');
    process.exit(64);
  }
  const t0 = performance.now();
  const made = await makeEasymoDatabase(url, { size: parseSize(opt('--size') ?? '100MB'), seed: Number(opt('--seed') ?? '1') });
  console.log(
    `easymo: ${made.users} users, ${made.transactions} transactions, ${made.messages} messages; ${(made.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
