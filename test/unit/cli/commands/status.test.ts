// `dr status --watch` on a terminal redraws each frame over the previous one instead of clearing the
// screen (which loses what was above it); piped, frames follow one another as plain text.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { frameWriter } from '../../../../src/cli/commands/status.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns: 80, rows: 24 });
  return { stream, written };
}

describe('status --watch frames', () => {
  it('on a terminal, erases exactly the previous frame and draws the next in its place', () => {
    const { stream, written } = fakeStream(true);
    const frames = frameWriter(stream, () => assert.fail('a terminal is not printed to line by line'));
    frames.show('run-1: running\nstep a: running');
    frames.show('run-1: running\nstep a: succeeded');
    frames.done();
    assert.equal(written.length, 2);
    assert.equal(written[0], 'run-1: running\nstep a: running\n');
    // Three lines to erase (two of text and the one the cursor sits on), upwards, then column 1.
    assert.equal(written[1], '\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\x1b[Grun-1: running\nstep a: succeeded\n');
    assert.ok(!written.join('').includes('\x1b[2J'), 'the screen is never cleared');
  });

  it('piped, prints every frame as it is', () => {
    const { stream, written } = fakeStream(false);
    const printed: string[] = [];
    const frames = frameWriter(stream, (text) => printed.push(text));
    frames.show('frame 1');
    frames.show('frame 2');
    frames.done();
    assert.deepEqual(printed, ['frame 1', 'frame 2']);
    assert.deepEqual(written, []);
  });
});
