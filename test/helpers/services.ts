// The coordinates of the services `npm test` started for the test files it runs. Which services a
// file gets is decided in one place, by its tier (scripts/lib/test-files.ts, TIER_SERVICES: unit
// tests get none). A test that asks for one its file did not get fails here, naming the service and
// how to get it, instead of failing later on a refused connection (or reaching some other server).
import { relative, resolve } from 'node:path';
import { TIER_SERVICES, type Service } from '../../scripts/lib/test-files.js';

const ROOT = resolve(import.meta.dirname, '../..');

const NAMES: Record<Service, string> = {
  temporal: 'the Temporal dev server',
  postgres: 'PostgreSQL',
  s3: 'the S3 server',
  redis: 'Redis',
  kafka: 'Kafka',
  chromium: 'Chromium',
};

/** The test file this process runs (node --test runs each file in a process of its own). */
function thisFile(): string {
  const arg = process.argv.find((a) => a.endsWith('.test.ts'));
  return arg ? relative(ROOT, resolve(arg)) : 'this test file';
}

function explain(service: Service): string {
  const tiers = Object.entries(TIER_SERVICES)
    .filter(([, services]) => services.includes(service))
    .map(([tier]) => `test/${tier}`);
  const how =
    service === 'kafka'
      ? 'Kafka starts for test files (or folders) named kafka* or data-* outside test/unit'
      : service === 'chromium'
        ? 'Chromium is installed for test files named ui* under test/e2e'
        : `${NAMES[service]} starts for test files under ${tiers.join(', ')}`;
  return `(${how}: scripts/lib/test-files.ts decides, TIER_SERVICES)`;
}

/**
 * The value of `variable` that `npm test` sets when it started `service`; throws when it did not.
 * Service coordinates are read through here only (eslint keeps tests from reading them directly).
 */
export function serviceEnv(service: Service, variable: string): string {
  const given = process.env.DR_TEST_SERVICES;
  if (given === undefined) {
    throw new Error(`${thisFile()} needs ${NAMES[service]} (${variable}): run it with \`npm test -- ${thisFile()}\`, which starts the services its tier needs.`);
  }
  const value = process.env[variable];
  if (!given.split(',').includes(service) || !value) {
    throw new Error(
      `${thisFile()} needs ${NAMES[service]} (${variable}), which npm test did not start for it ${explain(service)}. ` +
        'Move the file to a tier that gets it, or give its tier that service there.',
    );
  }
  return value;
}

export const temporalAddress = (): string => serviceEnv('temporal', 'TEMPORAL_ADDRESS');
/** The `temporal` CLI binary npm test installed (it comes with the dev server). */
export const temporalCliPath = (): string => serviceEnv('temporal', 'TEMPORAL_CLI_PATH');
export const temporalUiUrl = (): string => serviceEnv('temporal', 'DR_TEST_TEMPORAL_UI_URL');
/** Where the test UI expects `dr codec-server` (the UI tests start it there). */
export const codecUrl = (): string => serviceEnv('temporal', 'DR_TEST_CODEC_URL');
export const pgUrl = (): string => serviceEnv('postgres', 'DR_TEST_PG_URL');
export const redisUrl = (): string => serviceEnv('redis', 'DR_TEST_REDIS_URL');
export const kafkaBrokers = (): string => serviceEnv('kafka', 'DR_TEST_KAFKA_BROKERS');
export const chromiumPath = (): string => serviceEnv('chromium', 'DR_TEST_CHROMIUM');

export interface S3Coordinates {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}
export function s3(): S3Coordinates {
  return {
    endpoint: serviceEnv('s3', 'DR_TEST_S3_ENDPOINT'),
    bucket: serviceEnv('s3', 'DR_TEST_S3_BUCKET'),
    accessKey: serviceEnv('s3', 'DR_TEST_S3_ACCESS_KEY'),
    secretKey: serviceEnv('s3', 'DR_TEST_S3_SECRET_KEY'),
  };
}
