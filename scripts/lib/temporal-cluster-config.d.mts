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
export declare function readTemporalEnv(file?: string): Record<string, string>;
export declare function searchAttributeList(attributes?: Readonly<Record<string, string>>): string;
export declare function clusterPorts(frontend: number, base?: number): ClusterPorts;
export declare function clusterServerEnv(options: {
  ports: ClusterPorts;
  pg: { host: string; port: number; user: string; password: string };
  databases?: { temporal: string; visibility: string };
  env?: NodeJS.ProcessEnv;
}): Record<string, string>;
export declare function clusterUiEnv(options: {
  address: string;
  uiPort: number;
  namespace: string;
  codecEndpoint?: string;
  env?: NodeJS.ProcessEnv;
}): Record<string, string>;
export interface ClusterTls {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  serverName: string;
}
export declare function clusterTlsEnv(tls: ClusterTls): { server: Record<string, string>; cli: Record<string, string> };
