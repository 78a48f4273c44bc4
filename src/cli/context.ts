// What every command gets: configuration, a lazily opened client, and where to print.
import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import { connect } from './client.js';

export interface CommandContext {
  config: Config;
  client(): Promise<Client>;
  print(text: string): void;
  /** The person running the CLI, for `--as` defaults and the record. */
  user: string;
}

export function createContext(config: Config, env: NodeJS.ProcessEnv = process.env): CommandContext {
  let client: Promise<Client> | undefined;
  return {
    config,
    client: () => (client ??= connect(config)),
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    user: env.DR_USER ?? env.USER ?? 'unknown',
  };
}
