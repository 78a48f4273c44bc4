// The worker process's Temporal Runtime: our structured logger for SDK, workflow and activity lines
// (native Core lines and the process's warnings forwarded to it too), and the Prometheus endpoint
// when DR_METRICS_PORT is set. It must be installed before the first connection is made, once per
// process.
import { makeTelemetryFilterString, Runtime, type Logger } from '@temporalio/worker';
import type { Config } from '../config.js';
import { createLogger, routeProcessWarnings } from './logger.js';
import { METRIC_BUCKETS } from './metric-names.js';

export type RuntimeConfig = Pick<Config, 'DR_METRICS_PORT' | 'DR_METRICS_HOST' | 'DR_LOG_FORMAT' | 'DR_LOG_LEVEL'>;

/** The Runtime options for a configuration (pure, for tests). */
export function runtimeOptions(config: RuntimeConfig, logger: Logger) {
  return {
    logger,
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(config.DR_METRICS_PORT === undefined
        ? {}
        : {
            metrics: {
              prometheus: {
                bindAddress: `${config.DR_METRICS_HOST}:${config.DR_METRICS_PORT}`,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                histogramBucketOverrides: METRIC_BUCKETS,
              },
            },
          }),
    },
  };
}

let installed: Logger | undefined;

/** Installs the Runtime (idempotent); returns the logger every part of the worker writes to. */
export function installRuntime(config: RuntimeConfig): Logger {
  if (installed) return installed;
  const logger = createLogger({ format: config.DR_LOG_FORMAT, level: config.DR_LOG_LEVEL });
  Runtime.install(runtimeOptions(config, logger));
  routeProcessWarnings(logger);
  installed = logger;
  return logger;
}

/** The metrics URL to print, or undefined when metrics are off. */
export function metricsUrl(config: RuntimeConfig): string | undefined {
  if (config.DR_METRICS_PORT === undefined) return undefined;
  const host = config.DR_METRICS_HOST === '0.0.0.0' ? 'localhost' : config.DR_METRICS_HOST;
  return `http://${host}:${config.DR_METRICS_PORT}/metrics`;
}
