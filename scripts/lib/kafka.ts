// A throw-away local Kafka broker (no Docker, no tarball): the broker's jars and their runtime
// dependencies are resolved from Maven Central by `mvn dependency:copy-dependencies` once per machine
// into ${XDG_CACHE_HOME:-~/.cache}/easymo-dr/kafka-<version>/libs, then one KRaft node (broker and
// controller in one JVM) is formatted with `kafka.tools.StorageTool format` and run as `kafka.Kafka`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { assertPortsFree } from './ports.js';
import { Supervisor, type SupervisedChild } from './process.js';
import { cacheDir, indent, isRoot, say, tailFile, waitUntil } from './util.js';

/** The pinned Kafka version (org.apache.kafka:kafka_2.13): the only place it is written. */
export const KAFKA_VERSION = '4.1.1';
/** log4j's SLF4J 1.x binding, so the broker's log is written (without it SLF4J drops everything). */
const LOG4J_VERSION = '2.24.3';
const MIN_JAVA = 17;

export interface LocalKafka {
  brokers: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  child: SupervisedChild;
  stop(): Promise<void>;
  /** The last lines of the broker's log. */
  tail(): string;
}

/** Where the jars are cached: ${XDG_CACHE_HOME:-$HOME/.cache}/easymo-dr/kafka-<version>/. */
export function kafkaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `kafka-${KAFKA_VERSION}`);
}

/** The pom whose runtime dependencies are the broker's classpath (exported for tests). */
export function kafkaPom(version = KAFKA_VERSION): string {
  const dep = (g: string, a: string, v: string) => `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>easymo-dr</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${dep('org.apache.kafka', 'kafka_2.13', version)}
${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}
  </dependencies>
</project>
`;
}

const LOG4J2_PROPERTIES = `# Broker log to stdout (the supervisor writes it to the log file): warnings, plus the start-up line.
status = error
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = INFO
`;

function javaMajor(java = 'java'): number | undefined {
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr ?? '');
  if (!m) return undefined;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

function aptInstall(packages: string[], why: string): boolean {
  const canApt = isRoot() && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canApt) return false;
  say(`${why}: installing ${packages.join(' ')} with apt-get (one time) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  return true;
}

/** Java 17+ and Maven, installed from Debian's packages when missing and we are root. */
function ensureJavaAndMaven(): void {
  let major = javaMajor();
  if (major === undefined || major < MIN_JAVA) {
    const what = major === undefined ? 'java was not found' : `java is version ${major}, Kafka ${KAFKA_VERSION} needs ${MIN_JAVA}+`;
    if (!aptInstall(['openjdk-17-jre-headless'], what)) {
      throw new Error(`${what}. Install a Java ${MIN_JAVA}+ runtime (e.g. \`sudo apt-get install -y openjdk-17-jre-headless\`) and run this again.`);
    }
    major = javaMajor();
    if (major === undefined || major < MIN_JAVA) throw new Error(`openjdk-17 was installed but \`java -version\` reports ${major ?? 'nothing'}`);
  }
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) {
    if (!aptInstall(['maven'], 'mvn was not found (needed once, to fetch the Kafka jars)')) {
      throw new Error('mvn was not found: install Maven (e.g. `sudo apt-get install -y maven`) to fetch the Kafka jars, then run this again.');
    }
  }
}

/**
 * Returns { libs, log4jConfig }: the folder holding the broker's jars, fetched from Maven Central
 * the first time (~45 MB), and a log4j2 config. A finished install is marked by `libs/.complete`.
 */
export function ensureKafka(env: NodeJS.ProcessEnv = process.env): { libs: string; log4jConfig: string } {
  const dir = kafkaCacheDir(env);
  const libs = join(dir, 'libs');
  const log4jConfig = join(dir, 'log4j2.properties');
  if (existsSync(join(libs, '.complete'))) {
    if (javaMajor() === undefined) ensureJavaAndMaven();
    return { libs, log4jConfig };
  }
  ensureJavaAndMaven();
  const started = Date.now();
  say(`Fetching Kafka ${KAFKA_VERSION} jars from Maven Central (one time, ~45 MB) into ${libs} ...`);
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.download-'));
  try {
    writeFileSync(join(tmp, 'pom.xml'), kafkaPom());
    const r = spawnSync(
      'mvn',
      ['-B', '-q', '-f', join(tmp, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(tmp, 'libs')}`, '-DincludeScope=runtime'],
      { encoding: 'utf8', cwd: tmp },
    );
    if (r.status !== 0) {
      const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
      throw new Error(`mvn could not fetch org.apache.kafka:kafka_2.13:${KAFKA_VERSION} (exit ${r.status ?? r.signal}):\n${indent(output)}`);
    }
    const jars = readdirSync(join(tmp, 'libs')).filter((f) => f.endsWith('.jar'));
    if (!jars.includes(`kafka_2.13-${KAFKA_VERSION}.jar`)) throw new Error(`mvn finished but kafka_2.13-${KAFKA_VERSION}.jar is not among ${jars.length} jars`);
    writeFileSync(join(tmp, 'libs', '.complete'), `${jars.sort().join('\n')}\n`);
    rmSync(libs, { recursive: true, force: true }); // a half-finished folder from an interrupted install
    renameSync(join(tmp, 'libs'), libs);
    writeFileSync(log4jConfig, LOG4J2_PROPERTIES);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`Kafka ${KAFKA_VERSION} jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return { libs, log4jConfig };
}

/** server.properties of a single KRaft node (exported for tests). */
export function kafkaServerProperties({ port, controllerPort, logDir }: { port: number; controllerPort: number; logDir: string }): string {
  return [
    '# Written by easymo-dr scripts/lib/kafka.ts: one KRaft node, broker and controller, 127.0.0.1 only.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    // One node: every internal topic has one replica, and groups start without the 3 s rebalance wait.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding (what `StorageTool random-uuid` prints).
 * It can start with "-", so it is passed as `--cluster-id=<id>`, never as a separate argument.
 */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Resolves true when the broker on 127.0.0.1:port answers an ApiVersions request without error:
 * KRaft brokers only serve requests once they have caught up with the metadata log.
 */
export function kafkaReady(port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolveReady) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolveReady(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => {
      const client = Buffer.from('easymo-dr');
      const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length);
      body.writeInt16BE(18, 0); // ApiVersions
      body.writeInt16BE(0, 2); // v0: always accepted, so a client can learn which versions are
      body.writeInt32BE(1, 4); // correlation id
      body.writeInt16BE(client.length, 8);
      client.copy(body, 10);
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length, 0);
      socket.write(Buffer.concat([size, body]));
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 10) done(buf.readInt32BE(4) === 1 && buf.readInt16BE(8) === 0);
    });
  });
}

/**
 * Class-data sharing: a broker run without an archive writes one of the classes it loaded when it
 * stops (to a file of its own, so runs side by side never write the same file); a later run checks
 * that file with `-Xshare:on -version` (the JVM refuses a truncated or mismatched archive) and
 * adopts it as kafka.jsa. With it the broker starts in ~3 s instead of ~10 s.
 * Returns { use: path } or { dump: path }.
 */
export function sharedArchive(libs: string, dir = kafkaCacheDir()): { use: string; dump?: undefined } | { dump: string; use?: undefined } {
  const archive = join(dir, 'kafka.jsa');
  if (existsSync(archive)) return { use: archive };
  const dumps = readdirSync(dir)
    .filter((f) => /^kafka\.jsa\..+\.tmp$/.test(f))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  let adopted = false;
  for (const dump of dumps) {
    // Once one is adopted the rest are surplus (mtimes can tie, so order proves nothing); one a
    // broker is still writing is only unlinked, which that JVM does not notice.
    if (adopted) {
      rmSync(dump, { force: true });
      continue;
    }
    // A damaged archive makes the JVM abort: no crash report or core file for that.
    const check = ['-Xshare:on', `-XX:SharedArchiveFile=${dump}`, '-XX:ErrorFile=/dev/null', '-XX:-CreateCoredumpOnCrash', '-cp', join(libs, '*'), '-version'];
    adopted = spawnSync('java', check, { stdio: 'ignore', cwd: tmpdir() }).status === 0;
    if (adopted) renameSync(dump, archive);
    else rmSync(dump, { force: true });
  }
  if (adopted) return { use: archive };
  return { dump: join(dir, `kafka.jsa.${process.pid}-${Date.now()}.tmp`) };
}

/** JVM options: a small heap and a fast-starting JIT, enough for tests and drills. */
export const KAFKA_JVM_OPTIONS = ['-Xms256m', '-Xmx768m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/**
 * Starts a single-node KRaft Kafka with its data in `dataDir` (formatted on first use, reused
 * after; `fresh` starts from an empty log), clients on 127.0.0.1:`port`, the controller on
 * `controllerPort` (default port + 1). Returns { brokers, port, dataDir, logFile, child, stop() }.
 */
export async function startKafka({
  dataDir,
  port,
  controllerPort = port + 1,
  supervisor,
  logFile,
  fresh = false,
  timeoutMs = 120_000,
}: {
  dataDir: string;
  port: number;
  controllerPort?: number;
  supervisor?: Supervisor | undefined;
  logFile?: string;
  fresh?: boolean;
  timeoutMs?: number;
}): Promise<LocalKafka> {
  const { libs, log4jConfig } = ensureKafka();
  const sup = supervisor ?? new Supervisor();
  dataDir = resolve(dataDir);
  logFile = logFile ?? `${dataDir}.log`;
  await assertPortsFree(
    [
      { port, what: 'Kafka broker' },
      { port: controllerPort, what: 'Kafka controller' },
    ],
    'Stop that program, or pick other ports (DR_TEST_KAFKA_PORT=... for npm test).',
  );
  if (fresh) rmSync(dataDir, { recursive: true, force: true });
  const logDir = join(dataDir, 'log');
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const propsFile = join(dataDir, 'server.properties');
  writeFileSync(propsFile, kafkaServerProperties({ port, controllerPort, logDir }));
  const classpath = ['-cp', join(libs, '*'), `-Dlog4j2.configurationFile=${log4jConfig}`];

  const cds = sharedArchive(libs);
  if (!existsSync(join(logDir, 'meta.properties'))) {
    rmSync(logDir, { recursive: true, force: true });
    const shared = cds.use ? [`-XX:SharedArchiveFile=${cds.use}`] : [];
    const r = spawnSync('java', [...KAFKA_JVM_OPTIONS, ...shared, ...classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId()}`, '-c', propsFile], {
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      throw new Error(`kafka-storage format failed (exit ${r.status ?? r.signal}):\n${indent(`${r.stdout}${r.stderr}`.trim())}`);
    }
  }

  const share = cds.use ? `-XX:SharedArchiveFile=${cds.use}` : `-XX:ArchiveClassesAtExit=${cds.dump}`;
  const child = sup.spawn('kafka', 'java', [...KAFKA_JVM_OPTIONS, share, ...classpath, 'kafka.Kafka', propsFile], {
    logFile,
    cwd: dataDir,
    stopSignal: 'SIGTERM', // controlled shutdown
    signalLeaderOnly: true,
    stopTimeoutMs: 30_000,
  });
  await waitUntil(() => kafkaReady(port), {
    timeoutMs,
    intervalMs: 250,
    what: `Kafka on 127.0.0.1:${port} did not answer ApiVersions (log: ${logFile})`,
    abort: () => sup.deathReason(child),
  });
  return { brokers: `127.0.0.1:${port}`, port, controllerPort, dataDir, logFile, child, stop: () => sup.stop(child), tail: () => tailFile(logFile) };
}
