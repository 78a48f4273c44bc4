// What every command gets: configuration, a lazily opened client, and where to print.
import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';

export interface CommandContext {
  config: Config;
  client(): Promise<Client>;
  print(text: string): void;
  /** A line for people on stderr (notices that are not the command's output). */
  note?(text: string): void;
  /** A progress line that rewrites itself on a terminal; undefined clears it. */
  progress?(text: string | undefined): void;
  /** The person running the CLI, for `--as` defaults and the record. */
  user: string;
}

export function createContext(config: Config, env: NodeJS.ProcessEnv = process.env): CommandContext {
  let client: Promise<Client> | undefined;
  let lastProgress = 0;
  const tty = process.stderr.isTTY === true;
  return {
    config,
    // Loaded on first use: the client library is most of a command's start-up time.
    client: () => (client ??= import('./client.js').then(({ connect }) => connect(config))),
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => process.stderr.write(`${text}\n`),
    progress: (text) => {
      if (tty) process.stderr.write(text === undefined ? '\r\x1b[K' : `\r${text}\x1b[K`);
      // Not a terminal (a log, CI): a line every 15 s rather than one per second.
      else if (text !== undefined && Date.now() - lastProgress >= 15_000) {
        lastProgress = Date.now();
        process.stderr.write(`${text}\n`);
      }
    },
    user: env.DR_USER ?? env.USER ?? 'unknown',
  };
}
