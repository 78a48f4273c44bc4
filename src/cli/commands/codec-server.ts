// dr codec-server: Temporal's remote codec endpoint, so the Web UI shows encrypted payloads decrypted
// to whoever can reach this server (keep it on a private network or behind your sign-in proxy).
import { AesGcmCodec, parseCodecKeys } from '../../codec/index.js';
import { startCodecServer } from '../../codec/server.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export interface CodecServerOptions {
  port: string;
  host: string;
  allowOrigin: string[];
}

/** Serves /encode and /decode until SIGINT or SIGTERM. */
export async function codecServer(ctx: CommandContext, options: CodecServerOptions): Promise<void> {
  const keys = parseCodecKeys(ctx.config);
  if (!keys) throw new CliError('DR_CODEC_KEYS is not set: there is nothing to decrypt', 'set DR_CODEC_KEYS=id:base64key (see docs/security.md, Encryption)');
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`Expected --port to be a port number, got "${options.port}"`);
  const origins = options.allowOrigin.length > 0 ? options.allowOrigin : [new URL(ctx.config.DR_UI_URL).origin];
  const server = await startCodecServer({ codec: new AesGcmCodec(keys), origins, port, host: options.host }).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(
      err.code === 'EADDRINUSE' ? `Port ${port} on ${options.host} is already in use` : `Cannot listen on ${options.host}:${port}: ${err.message}`,
      err.code === 'EADDRINUSE' ? 'pick another with --port' : undefined,
    );
  });
  ctx.print(
    `dr codec-server: ${server.url} (encrypts with key "${keys.encryptId}", decrypts ${[...keys.keys.keys()].join(', ')}); ` +
      `browser origins: ${origins.join(', ')}`,
  );
  ctx.print(`  Temporal UI: --ui-codec-endpoint ${server.url} (or TEMPORAL_CODEC_ENDPOINT for the temporalio/ui image)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
