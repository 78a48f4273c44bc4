// The pg client reads a connection URL's sslmode as libpq (pg_dump, pg_restore, psql) does, so a URL
// the tools accept is accepted by the activities' own connections too; the tools never see the
// parameter that asks for it. Checked on the client configuration node-postgres derives from the URL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'pg-connection-string';
import { pgClientUrl, pgConnection } from '../../../../src/activities/postgres/connection.js';
import { Redactor } from '../../../../src/activities/secrets.js';

const ssl = (url: string) => parse(url).ssl;

describe('sslmode for the pg client', () => {
  it('require encrypts without verifying the server, as libpq does (node-postgres alone verifies it)', () => {
    const url = 'postgres://u:p@db.example.com:6543/postgres?sslmode=require';
    assert.deepEqual(ssl(pgClientUrl(url)), { rejectUnauthorized: false });
    assert.deepEqual(ssl(url), {}, 'node-postgres on its own: verify-full');
  });

  it('verify-full stays verified, and prefer and disable keep their meaning', () => {
    assert.deepEqual(ssl(pgClientUrl('postgres://u@h/db?sslmode=verify-full')), {});
    assert.deepEqual(ssl(pgClientUrl('postgres://u@h/db?sslmode=prefer')), { rejectUnauthorized: false });
    assert.equal(ssl(pgClientUrl('postgres://u@h/db?sslmode=disable')), false);
  });

  it('a URL without sslmode, one that already says how, or no URL at all is left as it is', () => {
    for (const url of ['postgres://u@h/db', 'postgres://u@h/db?sslmode=require&uselibpqcompat=false', 'not a url']) assert.equal(pgClientUrl(url), url);
  });

  it('pgConnection: the client URL carries it, the tools\' URL does not (libpq refuses unknown parameters)', () => {
    const c = pgConnection('postgres://u:secret@h:5432/db?sslmode=require&application_name=x', new Redactor(), {});
    assert.equal(new URL(c.url).searchParams.get('uselibpqcompat'), 'true');
    assert.equal(new URL(c.url).password, 'secret');
    assert.equal(new URL(c.toolUrl).searchParams.has('uselibpqcompat'), false);
    assert.equal(new URL(c.toolUrl).searchParams.get('sslmode'), 'require');
    assert.equal(new URL(c.toolUrl).password, '');
  });
});
