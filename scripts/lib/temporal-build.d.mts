export declare const TEMPORAL_SERVER_VERSION: string;
export declare const TEMPORAL_UI_VERSION: string;
export declare const GO_TOOLCHAIN: string;
export declare function temporalServerDir(env?: NodeJS.ProcessEnv): string;
export declare function temporalUiDir(env?: NodeJS.ProcessEnv): string;
export declare function ensureTemporalServer(env?: NodeJS.ProcessEnv): { server: string; sqlTool: string; schemaDir: string };
export declare function ensureTemporalUi(env?: NodeJS.ProcessEnv): { uiServer: string; root: string };
