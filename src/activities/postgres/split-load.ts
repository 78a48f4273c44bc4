// Parallel load of one big table. pg_restore -j parallelises across tables only, so a table that
// dominates the data is loaded by one backend whatever the jobs. Here its COPY data, read from
// the archive by `pg_restore -a`, is cut at row boundaries (a row of COPY text is one line) and fed
// to `jobs` COPY sessions at once, held by this process (pg-copy-streams). Without a psql per session
// copying every byte between its pipe and its socket, a 1 GB table's split load took 0.5 s less CPU
// and wall time on 2 cores (BENCHMARKS.md). A worker that dies takes its sessions' connections with
// it, and the server rolls their COPY back.
// The backup stays a plain pg_dump archive.
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { cancelSession } from './connection.js';
import { toolFailure, type ToolRun } from './tools.js';

/** Below this many rows a table loads in a few seconds: splitting it is not worth the sessions (restore-plan.ts). */
export const SPLIT_LOAD_MIN_ROWS = 250_000;

const COPY_LINE = /^COPY .+ FROM stdin;$/;
// pg_restore's session settings: statement_timeout = 0 above all (a role's timeout would cut a long
// COPY), client_encoding, search_path, row_security.
const SETTING_LINE = /^(SET [a-z_]+ = .+|SELECT pg_catalog\.set_config\(.+\));$/;
const END = Buffer.from('\\.\n');

/** One COPY ... FROM STDIN in progress: its rows go to `stream`; `done` settles once it committed or failed. */
export interface CopySession {
  stream: Writable;
  done: Promise<void>;
  /** Set the moment the session fails: nothing more may be written to it. */
  readonly error: Error | undefined;
  /** Stops it at once (the server rolls the COPY back); `done` then rejects. */
  stop(): void;
}

/** Opens session `index` (0-based) and starts `copy` in it after `settings`. */
export type OpenCopySession = (copy: string, settings: string[], index: number) => Promise<CopySession>;

/** COPY sessions on the PostgreSQL at `url` (password included: the pg client's, never a tool's argv). */
export function pgCopySessions(url: string): OpenCopySession {
  return async (copy, settings, index) => {
    const config: pg.ClientConfig = { connectionString: url, application_name: 'easymo-dr restore' };
    const client = new pg.Client(config);
    const name = `COPY session ${index + 1} (${copy})`;
    let error: Error | undefined;
    client.on('error', (err) => (error ??= new Error(`${name} failed: ${reason(err)}`))); // a dropped connection fails the stream too
    try {
      await client.connect();
      if (settings.length) await client.query(settings.join('\n'));
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new Error(`${name} could not start: ${err instanceof Error ? err.message : String(err)}`);
    }
    const stream = client.query(copyFrom(copy));
    let settled = false;
    let stopping = false;
    const done = new Promise<void>((resolve, reject) => {
      stream.once('finish', resolve);
      // Once its query failed, pg-copy-streams has no connection left: a write or a destroy would throw.
      stream.once('error', (err) => reject((error ??= new Error(`${name} failed: ${reason(err)}`))));
    })
      .finally(() => (settled = true))
      .then(
        () => client.end(),
        async (err: unknown) => {
          // Waited for a while only: a connection that hangs must not hold the failure back.
          await Promise.race([client.end().catch(() => undefined), delay(1_000, undefined, { ref: false })]);
          throw err;
        },
      );
    done.catch(() => undefined); // observed by the caller; never unhandled in between
    return {
      stream,
      done,
      get error() {
        return error;
      },
      // A cancel first: the backend would otherwise go on loading the rows already in its socket's
      // buffers until it reads the goodbye (seconds of a big table). Destroying the stream instead
      // would send CopyFail, which pg-copy-streams cannot do once its query has ended.
      stop: () => {
        if (settled || stopping) return;
        stopping = true;
        void cancelSession(client, config).then(() => client.end().catch(() => undefined));
      },
    };
  };
}

/**
 * Why a session failed. A backend that was terminated sends its reason and closes; a write racing it
 * sees only the closed socket (EPIPE, ECONNRESET), so that says what it means.
 */
function reason(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ECONNRESET' ? `the server closed the connection (${err.message})` : err.message;
}

/** After a failure, how long the other sessions get to close before the call gives up waiting on them. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Reads one table's COPY block from `source` (pg_restore's SQL output) and loads it through `jobs`
 * sessions opened by `open`. Resolves when every session committed; the first failure stops the
 * others and pg_restore, and is what the call rejects with.
 */
export async function splitLoad(source: ToolRun, jobs: number, open: OpenCopySession, onBytes: (sent: number) => void = () => undefined, signal?: AbortSignal): Promise<void> {
  let sent = 0;
  const sessions: CopySession[] = [];
  let failed: { error: unknown } | undefined;
  let wake = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const fail = (error: unknown) => {
    failed ??= { error };
    wake();
    source.stop();
    sessions.forEach((s) => s.stop());
  };
  const onAbort = () => fail(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  /** Writes to the next session that is not backed up, waiting for one when all are. */
  const send = async (block: Buffer) => {
    for (;;) {
      const broken = sessions.find((s) => s.error !== undefined);
      if (broken) fail(broken.error);
      if (failed) return;
      for (let k = 0; k < sessions.length; k++) {
        const stream = sessions[(next + k) % sessions.length]!.stream;
        if (!stream.writableNeedDrain) {
          next = (next + k + 1) % sessions.length;
          stream.write(block);
          onBytes((sent += block.length));
          return;
        }
      }
      // A session that fails reports it through its `done`, hence fail(). The waits on the sessions
      // that did not drain are dropped, or their listeners pile up.
      const waits = new AbortController();
      await Promise.race([stopped, ...sessions.map((s) => once(s.stream, 'drain', { signal: waits.signal }).catch(() => undefined))]);
      waits.abort();
    }
  };

  let state: 'header' | 'data' | 'rest' = 'header';
  const settings: string[] = [];
  // The line in progress: chunks are joined only once a line ends, so one huge row is copied once.
  let pending: Buffer[] = [];
  try {
    for await (const chunk of source.stdout as AsyncIterable<Buffer>) {
      if (failed || state === 'rest') continue; // drain pg_restore so it can exit
      if (chunk.indexOf(10) < 0) {
        pending.push(chunk);
        continue;
      }
      let buf = pending.length ? Buffer.concat([...pending, chunk]) : chunk;
      pending = [];
      if (state === 'header') {
        let nl = buf.indexOf(10);
        let copy: string | undefined;
        while (nl >= 0 && copy === undefined) {
          const line = buf.subarray(0, nl).toString('utf8');
          buf = buf.subarray(nl + 1);
          if (SETTING_LINE.test(line)) settings.push(line);
          if (COPY_LINE.test(line)) copy = line.slice(0, -1).replace(/ FROM stdin$/, ' FROM STDIN');
          else nl = buf.indexOf(10);
        }
        if (copy === undefined) {
          pending = [Buffer.from(buf)];
          continue;
        }
        try {
          for (let i = 0; i < jobs; i++) {
            const session = await open(copy, settings, i);
            sessions.push(session);
            if (failed) session.stop();
            session.done.catch(fail);
          }
        } catch (err) {
          fail(err);
          continue;
        }
        state = 'data';
      }
      // Data: complete lines only, up to the `\.` line.
      const at = buf.subarray(0, END.length).equals(END) ? 0 : buf.indexOf('\n\\.\n');
      if (at >= 0) {
        if (at > 0) await send(buf.subarray(0, at + 1));
        state = 'rest';
        continue;
      }
      const last = buf.lastIndexOf(10);
      if (last + 1 < buf.length) pending = [Buffer.from(buf.subarray(last + 1))];
      await send(buf.subarray(0, last + 1));
    }
  } catch (err) {
    fail(err); // pg_restore's output could not be read
  }
  try {
    const exit = await source.exited;
    if (!failed) {
      const problem = toolFailure(source, exit);
      if (problem) fail(new Error(problem));
      else if (state !== 'rest') fail(new Error(`pg_restore gave no complete COPY data for the table (${state === 'header' ? 'no COPY statement' : 'no end marker'})`));
    }
    if (!failed) sessions.forEach((s) => s.stream.end());
    const closed = Promise.allSettled(sessions.map((s) => s.done));
    // A server that stopped answering must not hold a failure (or a cancelled step) back for ever.
    await (failed ? Promise.race([closed, delay(CLOSE_WAIT_MS, undefined, { ref: false })]) : closed);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failed) throw failed.error;
}
