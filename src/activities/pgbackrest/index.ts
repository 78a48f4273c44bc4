// The pgbackrest.* activities bound to the worker's configuration.
import { join, resolve } from 'node:path';
import type { Config } from '../../config.js';
import type { Logger } from '../context.js';
import { pgbackrestRestore } from './restore.js';
import { pgbackrestBackup, pgbackrestCheck, pgbackrestInfo, pgbackrestStanza } from './stanza.js';
import type {
  PgBackRestBackupInput,
  PgBackRestBackupResult,
  PgBackRestCheckInput,
  PgBackRestCheckResult,
  PgBackRestInfoInput,
  PgBackRestInfoResult,
  PgBackRestRestoreInput,
  PgBackRestRestoreResult,
  PgBackRestStanzaInput,
  PgBackRestStanzaResult,
} from './types.js';

export function pgbackrestActivities({ config, env, log }: { config: Config; env?: NodeJS.ProcessEnv; log?: Logger }) {
  const deps = () => ({
    baseDir: config.DR_PGBACKREST_DIR ? resolve(config.DR_PGBACKREST_DIR) : join(config.stateDir, 'pgbackrest'),
    bin: config.DR_PGBACKREST_BIN,
    pgBinDir: config.DR_PG_BIN_DIR,
    env,
    log,
  });
  return {
    pgbackrestStanza: (input: PgBackRestStanzaInput): Promise<PgBackRestStanzaResult> => pgbackrestStanza(input, deps()),
    pgbackrestBackup: (input: PgBackRestBackupInput): Promise<PgBackRestBackupResult> => pgbackrestBackup(input, deps()),
    pgbackrestInfo: (input: PgBackRestInfoInput): Promise<PgBackRestInfoResult> => pgbackrestInfo(input, deps()),
    pgbackrestCheck: (input: PgBackRestCheckInput): Promise<PgBackRestCheckResult> => pgbackrestCheck(input, deps()),
    pgbackrestRestore: (input: PgBackRestRestoreInput): Promise<PgBackRestRestoreResult> => pgbackrestRestore(input, deps()),
  };
}
