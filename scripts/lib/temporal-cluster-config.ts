// The configuration of the local Temporal cluster: deploy/temporal/temporal.env (shared with
// docker-compose.yml) plus what is particular to one machine (loopback addresses, ports, login).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from './search-attributes.js';
import { REPO_ROOT } from './util.js';

export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  metrics: number;
}

/** Certificate and key files for a cluster that requires mTLS. */
export interface ClusterTls {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  serverName: string;
}

/** The shared server settings (deploy/temporal/temporal.env) as an object. */
export function readTemporalEnv(file = join(REPO_ROOT, 'deploy', 'temporal', 'temporal.env')): Record<string, string> {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      if (at <= 0) throw new Error(`${file}: expected NAME=value, got \`${line}\``);
      return [line.slice(0, at), line.slice(at + 1)];
    });
  return Object.fromEntries(entries);
}

/** `DrRunbook=Keyword,...`: the search attributes as setup-temporal.sh takes them. */
export function searchAttributeList(attributes: Readonly<Record<string, string>> = SEARCH_ATTRIBUTES): string {
  return Object.entries(attributes)
    .map(([name, type]) => `${name}=${type}`)
    .join(',');
}

/**
 * The ports a cluster whose frontend listens on `frontend` uses: the services' gRPC and membership
 * ports and the metrics endpoint take the nine ports from `base` (default: the frontend's next).
 */
export function clusterPorts(frontend: number, base = frontend + 1): ClusterPorts {
  return {
    frontend,
    frontendHttp: base,
    history: base + 1,
    matching: base + 2,
    worker: base + 3,
    frontendMembership: base + 4,
    historyMembership: base + 5,
    matchingMembership: base + 6,
    workerMembership: base + 7,
    metrics: base + 8,
  };
}

/**
 * The environment of the server, the SQL tool and the set-up scripts: deploy/temporal/temporal.env
 * plus what is particular to this machine (loopback addresses, ports, the database's login). Starts
 * from nothing but PATH and HOME, so no stray variable of ours reaches the server's template.
 */
export function clusterServerEnv({
  ports,
  pg,
  databases,
  env = process.env,
}: {
  ports: ClusterPorts;
  pg: { host: string; port: number; user: string; password: string };
  databases?: { temporal: string; visibility: string } | undefined;
  env?: NodeJS.ProcessEnv;
}): Record<string, string> {
  return {
    PATH: env.PATH ?? '/usr/bin:/bin',
    HOME: env.HOME ?? '/tmp',
    ...readTemporalEnv(),
    ...(databases ? { DBNAME: databases.temporal, VISIBILITY_DBNAME: databases.visibility } : {}),
    POSTGRES_SEEDS: pg.host,
    DB_PORT: String(pg.port),
    POSTGRES_USER: pg.user,
    POSTGRES_PWD: pg.password,
    SQL_PASSWORD: pg.password,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    PROMETHEUS_ENDPOINT: `127.0.0.1:${ports.metrics}`,
    DYNAMIC_CONFIG_FILE_PATH: join(REPO_ROOT, 'deploy', 'temporal', 'dynamicconfig.yaml'),
  };
}


/**
 * The environment of the Temporal UI server: the variables of the temporalio/ui image's template
 * (config/docker.yaml), as docker-compose.yml's temporal-ui service sets them.
 */
export function clusterUiEnv({
  address,
  uiPort,
  namespace,
  codecEndpoint,
  env = process.env,
}: {
  address: string;
  uiPort: number;
  namespace: string;
  codecEndpoint?: string | undefined;
  env?: NodeJS.ProcessEnv;
}): Record<string, string> {
  return {
    PATH: env.PATH ?? '/usr/bin:/bin',
    TEMPORAL_ADDRESS: address,
    TEMPORAL_UI_PORT: String(uiPort),
    TEMPORAL_DEFAULT_NAMESPACE: namespace,
    TEMPORAL_CORS_ORIGINS: `http://localhost:${uiPort}`,
    TEMPORAL_CODEC_ENDPOINT: codecEndpoint ?? '',
    TEMPORAL_DISABLE_NEWS_FETCH: 'true',
  };
}

/**
 * mTLS for the cluster, through the same template: one CA, the server's certificate on the frontend
 * and between services (the system worker presents it too), client certificates required. Returns
 * the server's variables and the Temporal CLI's (for the health check and setup-temporal.sh).
 */
export function clusterTlsEnv({ ca, serverCert, serverKey, clientCert, clientKey, serverName }: ClusterTls): {
  server: Record<string, string>;
  cli: Record<string, string>;
} {
  return {
    server: {
      TEMPORAL_TLS_SERVER_CA_CERT: ca,
      TEMPORAL_TLS_SERVER_CERT: serverCert,
      TEMPORAL_TLS_SERVER_KEY: serverKey,
      TEMPORAL_TLS_INTERNODE_SERVER_NAME: serverName,
      TEMPORAL_TLS_FRONTEND_CERT: serverCert,
      TEMPORAL_TLS_FRONTEND_KEY: serverKey,
      TEMPORAL_TLS_FRONTEND_SERVER_NAME: serverName,
      // The template lists two client CAs (for rotation) whenever the first is set.
      TEMPORAL_TLS_CLIENT1_CA_CERT: ca,
      TEMPORAL_TLS_CLIENT2_CA_CERT: ca,
      TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true',
    },
    cli: {
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_CLIENT_CERT_PATH: clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: clientKey,
      TEMPORAL_TLS_SERVER_NAME: serverName,
    },
  };
}
