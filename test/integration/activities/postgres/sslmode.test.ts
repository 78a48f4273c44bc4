// sslmode means the same to the worker's own connections as to pg_dump / pg_restore / psql, on a
// real PostgreSQL serving TLS with a self-signed certificate (made here, by the server's own user,
// and switched on for this file only): `require` encrypts without checking the certificate, in
// Node and in libpq alike; `verify-full` refuses the self-signed one. Before, node-postgres read
// `require` as `verify-full`, so a URL the tools accepted failed in the activities.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { pgConnection } from '../../../../src/activities/postgres/connection.js';
import { Redactor } from '../../../../src/activities/secrets.js';
import { runSql } from '../../../../src/activities/sql.js';
import { withClient } from '../../../helpers/pg.js';
import { pgUrl } from '../../../helpers/services.js';

const BASE = pgUrl();
const withMode = (mode: string) => {
  const u = new URL(BASE);
  u.searchParams.set('sslmode', mode);
  return u.toString();
};
const ENCRYPTED = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

async function setSsl(on: boolean): Promise<void> {
  await withClient(BASE, async (c) => {
    if (on) {
      const dir = (await c.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
      // Written by the server's own user, so the key is its own with mode 0600, as PostgreSQL insists.
      const make = `openssl req -new -x509 -days 1 -nodes -subj /CN=dr-test -keyout '${dir}/dr-test.key' -out '${dir}/dr-test.crt' >/dev/null 2>&1 && chmod 600 '${dir}/dr-test.key'`;
      await c.query('CREATE TEMP TABLE dr_ssl_out (line text)');
      await c.query(`COPY dr_ssl_out FROM PROGRAM '${make.replace(/'/g, "''")}'`);
      await c.query(`ALTER SYSTEM SET ssl_cert_file = 'dr-test.crt'`);
      await c.query(`ALTER SYSTEM SET ssl_key_file = 'dr-test.key'`);
      await c.query('ALTER SYSTEM SET ssl = on');
    } else {
      for (const name of ['ssl', 'ssl_cert_file', 'ssl_key_file']) await c.query(`ALTER SYSTEM RESET ${name}`);
    }
    await c.query('SELECT pg_reload_conf()');
  });
  // The reload is asynchronous: wait until a new session sees it.
  for (let i = 0; i < 100; i++) {
    const now = await withClient(BASE, async (c) => (await c.query<{ ssl: string }>('SHOW ssl')).rows[0]!.ssl);
    if (now === (on ? 'on' : 'off')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ssl did not turn ${on ? 'on' : 'off'} after a reload`);
}

describe('sslmode, the same for the pg client as for the pg tools', () => {
  before(() => setSsl(true));
  after(() => setSsl(false));

  it('require: psql and the worker\'s connections both encrypt, and neither checks the self-signed certificate', async () => {
    const url = withMode('require');
    assert.equal(execFileSync('psql', ['-X', '-qAt', '-c', ENCRYPTED, url], { encoding: 'utf8' }).trim(), 't');
    const r = await runSql({ runId: 'run-1', stepId: 'tls', connection: url, query: ENCRYPTED, params: [] }, { env: {} });
    assert.equal(r.value, true);
    const client = new pg.Client({ connectionString: pgConnection(url, new Redactor(), {}).url });
    await client.connect();
    try {
      assert.equal((await client.query<{ ssl: boolean }>(ENCRYPTED)).rows[0]!.ssl, true);
    } finally {
      await client.end();
    }
  });

  it('verify-full: the self-signed certificate is refused, by the worker as by psql', async () => {
    const url = withMode('verify-full');
    assert.throws(() => execFileSync('psql', ['-X', '-qAt', '-c', 'SELECT 1', url], { encoding: 'utf8', stdio: 'pipe' }));
    await assert.rejects(runSql({ runId: 'run-1', stepId: 'tls', connection: url, query: 'SELECT 1', params: [] }, { env: {} }), /certificate/i);
  });
});
