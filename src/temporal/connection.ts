// How the worker (NativeConnection) and the CLI (Connection) reach Temporal: address, TLS / mTLS
// files and the Temporal Cloud API key from the configuration, built by one pure function so a test
// can see exactly what reaches the SDK. Certificate files are read here, when connecting, not when
// the configuration loads, and a file that cannot be read names its variable and path.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config.js';

/** The configuration this module reads. */
export type ConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** What both `Connection.connect` and `NativeConnection.connect` accept. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/** A connection setting that cannot be used; names the variable (and the file) at fault. */
export class ConnectionConfigError extends Error {
  override readonly name = 'ConnectionConfigError';
  constructor(
    message: string,
    readonly variable: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

type ReadFile = (path: string) => Buffer;

/** Builds the connection options; reads the PEM files through `readFile` (tests pass their own). */
export function connectionOptions(config: ConnectionConfig, readFile: ReadFile = (p) => readFileSync(p)): TemporalConnectionOptions {
  const { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: serverName } = config;
  if ((cert === undefined) !== (key === undefined)) {
    const [set, missing] = cert === undefined ? ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT'] : ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'];
    throw new ConnectionConfigError(`${set} is set but ${missing} is not: mTLS needs both the client certificate and its key`, missing);
  }
  const files = cert !== undefined || ca !== undefined || serverName !== undefined;
  if (config.TEMPORAL_TLS === false && files) {
    const variable = cert !== undefined ? 'TEMPORAL_TLS_CERT' : ca !== undefined ? 'TEMPORAL_TLS_CA' : 'TEMPORAL_TLS_SERVER_NAME';
    throw new ConnectionConfigError(`TEMPORAL_TLS=false contradicts ${variable}: unset one of them`, 'TEMPORAL_TLS');
  }
  const options: TemporalConnectionOptions = { address: config.TEMPORAL_ADDRESS };
  // An API key travels as a bearer token, so it implies TLS unless TLS is explicitly turned off.
  const useTls = config.TEMPORAL_TLS ?? (files || config.TEMPORAL_API_KEY !== undefined);
  if (useTls) {
    const tls: TLSConfig = {};
    if (serverName !== undefined) tls.serverNameOverride = serverName;
    if (ca !== undefined) tls.serverRootCACertificate = readPem(readFile, 'TEMPORAL_TLS_CA', ca);
    if (cert !== undefined && key !== undefined) {
      tls.clientCertPair = { crt: readPem(readFile, 'TEMPORAL_TLS_CERT', cert), key: readPem(readFile, 'TEMPORAL_TLS_KEY', key) };
    }
    options.tls = tls;
  }
  if (config.TEMPORAL_API_KEY !== undefined) options.apiKey = config.TEMPORAL_API_KEY;
  return options;
}

function readPem(readFile: ReadFile, variable: string, path: string): Buffer {
  let content: Buffer;
  try {
    content = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String((err as Error).message);
    throw new ConnectionConfigError(`Cannot read ${variable} file ${path}: ${why}`, variable, path);
  }
  if (!content.toString('latin1').includes('-----BEGIN ')) {
    throw new ConnectionConfigError(`Expected ${variable} file ${path} to hold a PEM block (-----BEGIN ...), got ${content.length} bytes of something else`, variable, path);
  }
  return content;
}

/** One line for logs and errors: where and how we connect, never the secrets. */
export function describeConnection(options: TemporalConnectionOptions, namespace: string): string {
  const security = options.tls
    ? `${options.tls.clientCertPair ? 'mTLS' : 'TLS'}${options.tls.serverNameOverride ? ` as ${options.tls.serverNameOverride}` : ''}`
    : 'plaintext';
  return `${options.address} (namespace ${namespace}, ${security}${options.apiKey ? ', API key' : ''})`;
}
