// The `dr` command. The only place that decides exit codes: commands throw, this prints one line.
import { loadConfig } from '../config.js';
import { createContext } from './context.js';
import { explain } from './errors.js';
import { program } from './program.js';

async function main(argv: string[]): Promise<number> {
  let address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  try {
    const config = loadConfig();
    address = config.TEMPORAL_ADDRESS;
    await program(createContext(config)).parseAsync(argv);
    return 0;
  } catch (err) {
    const error = explain(err, address);
    process.stderr.write(`dr: ${error.message}\n${error.hint ? `    next: ${error.hint}\n` : ''}`);
    return error.exitCode;
  }
}

process.exitCode = await main(process.argv);
// The gRPC connection keeps the event loop alive; a CLI ends when its command does.
process.exit();
