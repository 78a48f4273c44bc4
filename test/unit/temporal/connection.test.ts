// Connection options from the environment: what reaches Connection.connect / NativeConnection.connect.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import { ConnectionConfigError, connectionOptions, describeConnection } from '../../../src/temporal/connection.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-tls-'));
const pem = (name: string, label = 'CERTIFICATE') => {
  const path = join(dir, name);
  writeFileSync(path, `-----BEGIN ${label}-----\n${name}\n-----END ${label}-----\n`);
  return path;
};
const cert = pem('client.pem');
const key = pem('client.key', 'PRIVATE KEY');
const ca = pem('ca.pem');
const options = (env: Record<string, string>) => connectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'tmprl.example:7233', ...env }));

describe('connectionOptions', () => {
  test('plain address by default: no TLS, no API key', () => {
    assert.deepEqual(options({}), { address: 'tmprl.example:7233' });
    assert.deepEqual(connectionOptions(loadConfig({})), { address: '127.0.0.1:7233' });
  });

  test('mTLS: certificate, key and CA files are read into the TLS options, server name passed on', () => {
    const got = options({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: 'frontend.internal' });
    assert.equal(got.address, 'tmprl.example:7233');
    assert.equal(got.tls?.serverNameOverride, 'frontend.internal');
    assert.match(Buffer.from(got.tls!.clientCertPair!.crt).toString(), /BEGIN CERTIFICATE-----\nclient\.pem/);
    assert.match(Buffer.from(got.tls!.clientCertPair!.key).toString(), /BEGIN PRIVATE KEY-----\nclient\.key/);
    assert.match(Buffer.from(got.tls!.serverRootCACertificate!).toString(), /ca\.pem/);
    assert.equal(got.apiKey, undefined);
    assert.equal(describeConnection(got, 'prod'), 'tmprl.example:7233 (namespace prod, mTLS as frontend.internal)');
  });

  test('API key (Temporal Cloud) implies TLS with the system roots', () => {
    const got = options({ TEMPORAL_API_KEY: 'secret-key' });
    assert.deepEqual(got, { address: 'tmprl.example:7233', tls: {}, apiKey: 'secret-key' });
    assert.equal(describeConnection(got, 'ns.acct'), 'tmprl.example:7233 (namespace ns.acct, TLS, API key)');
    assert.ok(!describeConnection(got, 'x').includes('secret-key'), 'the key never appears in logs');
  });

  test('TEMPORAL_TLS=true without files; TEMPORAL_TLS=false with an API key (a local proxy)', () => {
    assert.deepEqual(options({ TEMPORAL_TLS: 'true' }), { address: 'tmprl.example:7233', tls: {} });
    assert.deepEqual(options({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }), { address: 'tmprl.example:7233', apiKey: 'k' });
  });

  test('empty variables (FOO= in a .env file) count as unset', () => {
    assert.deepEqual(options({ TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: ' ', TEMPORAL_API_KEY: '', TEMPORAL_TLS: '' }), { address: 'tmprl.example:7233' });
  });

  test('files are read when connecting, not when the configuration loads', () => {
    const config = loadConfig({ TEMPORAL_TLS_CERT: join(dir, 'later.pem'), TEMPORAL_TLS_KEY: key });
    writeFileSync(join(dir, 'later.pem'), '-----BEGIN CERTIFICATE-----\nlater\n-----END CERTIFICATE-----\n');
    assert.match(Buffer.from(connectionOptions(config).tls!.clientCertPair!.crt).toString(), /later/);
    const seen: string[] = [];
    connectionOptions(loadConfig({ TEMPORAL_TLS_CA: '/etc/ca.pem' }), (p) => (seen.push(p), Buffer.from('-----BEGIN CERTIFICATE-----')));
    assert.deepEqual(seen, ['/etc/ca.pem']);
  });

  const bad: Array<[string, Record<string, string>, string, string]> = [
    ['cert without key', { TEMPORAL_TLS_CERT: cert }, 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: mTLS needs both the client certificate and its key'],
    ['key without cert', { TEMPORAL_TLS_KEY: key }, 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not: mTLS needs both the client certificate and its key'],
    ['missing file', { TEMPORAL_TLS_CA: join(dir, 'nope.pem') }, 'TEMPORAL_TLS_CA', `Cannot read TEMPORAL_TLS_CA file ${join(dir, 'nope.pem')}: no such file`],
    ['a folder', { TEMPORAL_TLS_CERT: dir, TEMPORAL_TLS_KEY: key }, 'TEMPORAL_TLS_CERT', `Cannot read TEMPORAL_TLS_CERT file ${dir}: it is a folder`],
    ['not PEM', { TEMPORAL_TLS_CA: (writeFileSync(join(dir, 'der.bin'), Buffer.from([0x30, 0x82, 1, 2])), join(dir, 'der.bin')) }, 'TEMPORAL_TLS_CA', `Expected TEMPORAL_TLS_CA file ${join(dir, 'der.bin')} to hold a PEM block (-----BEGIN ...), got 4 bytes of something else`],
    ['TLS off but files given', { TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: ca }, 'TEMPORAL_TLS', 'TEMPORAL_TLS=false contradicts TEMPORAL_TLS_CA: unset one of them'],
  ];
  for (const [name, env, variable, message] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(
        () => options(env),
        (err: unknown) => {
          assert.ok(err instanceof ConnectionConfigError);
          assert.equal(err.variable, variable);
          assert.equal(err.message, message);
          return true;
        },
      );
    });
  }

  test('a bad TEMPORAL_TLS value is a configuration error naming the variable', () => {
    assert.throws(() => loadConfig({ TEMPORAL_TLS: 'yes' }), /TEMPORAL_TLS: Expected true or false, got "yes"/);
  });
});
