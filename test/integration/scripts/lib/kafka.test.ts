// The Kafka broker's set-up in scripts/lib/kafka.ts: the server.properties of a single KRaft node,
// and the class-data archive a broker run leaves behind, checked before a later run maps it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureKafka, kafkaReady, kafkaServerProperties, sharedArchive } from '../../../../scripts/lib/kafka.js';
import { kafkaBrokers } from '../../../helpers/services.js';

const scratch = mkdtempSync(join(tmpdir(), 'dr-kafka-scripts-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('scripts/lib/kafka.js', () => {
  it('configures one KRaft node on 127.0.0.1 with its controller on the next port', () => {
    const props = kafkaServerProperties({ port: 9093, controllerPort: 9094, logDir: '/data/log' });
    for (const line of [
      'process.roles=broker,controller',
      'controller.quorum.voters=1@127.0.0.1:9094',
      'listeners=PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:9094',
      'advertised.listeners=PLAINTEXT://127.0.0.1:9093',
      'log.dirs=/data/log',
      'offsets.topic.replication.factor=1',
      'group.initial.rebalance.delay.ms=0',
    ]) {
      assert.ok(props.split('\n').includes(line), line);
    }
  });

  it('adopts a class-data archive the JVM accepts and deletes one it would abort on', () => {
    const { libs } = ensureKafka();
    const dir = join(scratch, 'cache');
    spawnSync('mkdir', ['-p', dir]);
    // A real (small) dynamic archive for the same classpath, and a truncated copy of it.
    const good = join(dir, 'kafka.jsa.1-1.tmp');
    const made = spawnSync('java', [`-XX:ArchiveClassesAtExit=${good}`, '-cp', join(libs, '*'), '-version'], { encoding: 'utf8', cwd: scratch });
    assert.equal(made.status, 0, made.stderr);
    const bad = join(dir, 'kafka.jsa.2-2.tmp');
    writeFileSync(bad, readFileSync(good).subarray(0, 4096));
    // Both written within one clock tick: nothing about their order may be assumed.
    const tick = new Date();
    utimesSync(good, tick, tick);
    utimesSync(bad, tick, tick);

    assert.deepEqual(sharedArchive(libs, dir), { use: join(dir, 'kafka.jsa') });
    assert.deepEqual(readdirSync(dir).sort(), ['kafka.jsa']);
    assert.deepEqual(readdirSync(scratch).filter((f) => f.startsWith('hs_err') || f.startsWith('core')), []);
    // Next time it is used as is; without any, a run dumps to a file of its own.
    assert.deepEqual(sharedArchive(libs, dir), { use: join(dir, 'kafka.jsa') });
    rmSync(join(dir, 'kafka.jsa'));
    const next = sharedArchive(libs, dir);
    assert.match(next.dump ?? '', new RegExp(`^${dir}/kafka\\.jsa\\.${process.pid}-\\d+\\.tmp$`));
    assert.equal(existsSync(next.dump!), false);
  });

  it('calls a broker ready only when it answers ApiVersions', async () => {
    const brokers = kafkaBrokers();
    assert.equal(await kafkaReady(Number(brokers.split(':')[1])), true);
    assert.equal(await kafkaReady(1), false);
  });
});
