// Port checks: refuse to start on a busy port with a message that says which port and, where Linux's
// /proc tells, which program holds it.
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** Resolves true when nothing listens on host:port (we can bind it ourselves). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Best-effort description of the process listening on TCP `port` ("temporal server start-dev ... (pid 123)"). */
export function describePortHolder(port: number): string | undefined {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length < 10) continue;
        const localPort = parseInt(cols[1]!.split(':').at(-1)!, 16);
        if (localPort === port && cols[3] === '0A') inodes.add(cols[9]!); // 0A = LISTEN
      }
    }
    if (inodes.size === 0) return undefined;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let fds;
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let link;
        try {
          link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m && inodes.has(m[1]!)) {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return `${cmd.length > 160 ? cmd.slice(0, 157) + '...' : cmd} (pid ${pid})`;
        }
      }
    }
  } catch {
    // not Linux, or /proc not readable: no description
  }
  return undefined;
}

/**
 * Throws one readable error listing every busy port of `ports` ({ port, what }), with the holder
 * when known, and every port given to two of them (say the test UI on the port after the test
 * cluster's frontend, which is the cluster's own HTTP port), and `hint` (how to pick other ports).
 */
export async function assertPortsFree(ports: readonly { port: number; what: string }[], hint?: string): Promise<void> {
  const busy: string[] = [];
  const given = new Map<number, string>();
  for (const { port, what } of ports) {
    const first = given.get(port);
    if (first !== undefined) busy.push(`  port ${port} is given to both ${first} and ${what}`);
    else given.set(port, what);
  }
  for (const { port, what } of ports) {
    if (!(await isPortFree(port))) {
      const holder = describePortHolder(port);
      busy.push(`  port ${port} (${what}) is already in use${holder ? ` by ${holder}` : ' by another program'}`);
    }
  }
  if (busy.length > 0) {
    throw new Error(`cannot start: a port it needs is busy or given twice.\n${busy.join('\n')}${hint ? `\n${hint}` : ''}`);
  }
}
