// A TCP proxy that limits throughput, for benchmarks of a store behind a slower link than loopback
// (an S3 bucket in another network): each direction has its own budget of `mbps` MiB/s, shared by
// all connections, as on one full-duplex link.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** Starts the proxy on a free port in front of 127.0.0.1:`targetPort`; resolves with its port. */
export async function startLink(targetPort: number, mbps: number): Promise<{ port: number; server: Server }> {
  const bytesPerMs = (mbps * 1024 * 1024) / 1000;
  const budget = { up: Date.now(), down: Date.now() };
  // Forwards `from` to `to`, pausing `from` for as long as its bytes take on the link.
  const forward = (from: Socket, to: Socket, way: keyof typeof budget) => {
    from.on('data', (chunk: Buffer) => {
      to.write(chunk);
      const now = Date.now();
      budget[way] = Math.max(budget[way], now) + chunk.length / bytesPerMs;
      const wait = budget[way] - now;
      if (wait > 1) {
        from.pause();
        setTimeout(() => from.resume(), wait);
      }
    });
    from.on('end', () => to.end());
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    forward(client, upstream, 'up');
    forward(upstream, client, 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}
