// Parallel load of one big table. pg_restore -j parallelises across tables only, so a table that
// dominates the data is loaded by one backend whatever the jobs. Here its COPY data, read from
// the archive by `pg_restore -a`, is cut at row boundaries (a row of COPY text is one line) and fed
// to `jobs` psql COPY sessions at once. The backup stays a plain pg_dump archive.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { startTool, toolFailure, type ToolOptions, type ToolRun } from './tools.js';

/** Below this many rows a table loads in a few seconds: splitting it is not worth the sessions (restore-plan.ts). */
export const SPLIT_LOAD_MIN_ROWS = 250_000;

const COPY_LINE = /^COPY .+ FROM stdin;$/;
// pg_restore's session settings: statement_timeout = 0 above all (a role's timeout would cut a long
// COPY), client_encoding, search_path, row_security.
const SETTING_LINE = /^(SET [a-z_]+ = .+|SELECT pg_catalog\.set_config\(.+\));$/;
const END = Buffer.from('\\.\n');

/**
 * Reads one table's COPY block from `source` (pg_restore's SQL output) and loads it with `jobs`
 * psql sessions. Resolves when every session committed; the first failure stops the others.
 */
export async function splitLoad(
  source: ToolRun,
  jobs: number,
  tool: Omit<ToolOptions, 'stdin' | 'stdout'>,
  targetUrl: string,
  onBytes: (sent: number) => void = () => undefined,
): Promise<void> {
  let sent = 0;
  const loaders: ToolRun[] = [];
  let failed: string | undefined;
  let wake = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const fail = (why: string) => {
    failed ??= why;
    wake();
    source.stop();
    loaders.forEach((l) => l.stop());
  };
  const start = (copy: string, settings: string[]) => {
    for (let i = 0; i < jobs; i++) {
      const run = startTool('psql', ['-X', '-q', '-o', '/dev/null', '-v', 'ON_ERROR_STOP=1', ...settings.flatMap((s) => ['-c', s]), '-c', copy, '-d', targetUrl], {
        ...tool,
        stdin: 'pipe',
      });
      run.stdin!.on('error', () => undefined); // a session that died is reported by its exit
      void run.exited.then((exit) => {
        const problem = toolFailure(run, exit);
        if (problem) fail(problem);
      });
      loaders.push(run);
    }
  };
  let next = 0;
  /** Writes to the next session that is not backed up, waiting for one when all are. */
  const send = async (block: Buffer) => {
    for (;;) {
      if (failed) return;
      for (let k = 0; k < loaders.length; k++) {
        const stdin = loaders[(next + k) % loaders.length]!.stdin as Writable;
        if (!stdin.writableNeedDrain) {
          next = (next + k + 1) % loaders.length;
          stdin.write(block);
          onBytes((sent += block.length));
          return;
        }
      }
      // A session that died rejects its wait with EPIPE; its exit says why, through fail(). The
      // waits on the sessions that did not drain are dropped, or their listeners pile up.
      const waits = new AbortController();
      await Promise.race([stopped, ...loaders.map((l) => once(l.stdin as Writable, 'drain', { signal: waits.signal }).catch(() => undefined))]);
      waits.abort();
    }
  };

  let state: 'header' | 'data' | 'rest' = 'header';
  const settings: string[] = [];
  // The line in progress: chunks are joined only once a line ends, so one huge row is copied once.
  let pending: Buffer[] = [];
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
      while (nl >= 0 && state === 'header') {
        const line = buf.subarray(0, nl).toString('utf8');
        buf = buf.subarray(nl + 1);
        if (SETTING_LINE.test(line)) settings.push(line);
        if (COPY_LINE.test(line)) {
          start(line.slice(0, -1).replace(/ FROM stdin$/, ' FROM STDIN'), settings);
          state = 'data';
        } else nl = buf.indexOf(10);
      }
      if (state === 'header') {
        pending = [Buffer.from(buf)];
        continue;
      }
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
  const exit = await source.exited;
  if (!failed) {
    const problem = toolFailure(source, exit);
    if (problem) fail(problem);
    else if (state !== 'rest') fail(`pg_restore gave no complete COPY data for the table (${state === 'header' ? 'no COPY statement' : 'no end marker'})`);
  }
  loaders.forEach((l) => l.stdin?.end());
  await Promise.all(loaders.map((l) => l.exited));
  if (failed) throw new Error(failed);
}
