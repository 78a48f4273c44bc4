// The set-up scripts' parts for the browser tests and encryption: Debian's Chromium and its flags,
// and the dev server's UI pointed at `dr codec-server`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ensureChromium } from '../../../../scripts/lib/chromium.js';
import { temporalServerArgs } from '../../../../scripts/lib/temporal-server.js';

describe('Chromium for the UI tests', () => {
  it("is Debian's, headless, with the flags that keep it off the closed network", () => {
    assert.equal(CHROMIUM_PATH, '/usr/bin/chromium');
    for (const flag of ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']) {
      assert.ok(CHROMIUM_ARGS.includes(flag), flag);
    }
  });

  it('DR_CHROMIUM_PATH picks another binary, and must exist', () => {
    assert.equal(ensureChromium({ DR_CHROMIUM_PATH: process.execPath }), process.execPath);
    assert.throws(() => ensureChromium({ DR_CHROMIUM_PATH: '/nowhere/chromium' }), /^Error: DR_CHROMIUM_PATH=\/nowhere\/chromium does not exist$/);
  });
});

describe('dev server UI and the codec server', () => {
  it('passes --ui-codec-endpoint only when there is a codec server', () => {
    const without = temporalServerArgs({ dbFile: 'x', port: 1, uiPort: 2 });
    assert.ok(!without.includes('--ui-codec-endpoint'));
    const withCodec = temporalServerArgs({ dbFile: 'x', port: 1, uiPort: 2, codecEndpoint: 'http://localhost:8888' });
    assert.equal(withCodec[withCodec.indexOf('--ui-codec-endpoint') + 1], 'http://localhost:8888');
  });
});
