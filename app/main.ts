/**
 * `npm start`: the HTTP server and a job worker in one process. A thin shell over app/runtime, which
 * tests drive in-process; this file only reads the environment, prints, and wires the signals.
 */
import { ConfigError, loadConfig } from './config/index.ts';
import type { Config } from './config/index.ts';
import { buildRuntime, runtimeBanner } from './runtime/index.ts';
import { installShutdownHandlers } from './server/index.ts';

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`leadgate: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** The message and, when there is one, its cause's: "store is not reachable: connect ECONNREFUSED …". */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

const config = configOrExit();
try {
  const runtime = await buildRuntime(config);
  installShutdownHandlers({ closers: runtime.closers, logger: runtime.logger });
  process.stdout.write(`${runtimeBanner(runtime).join('\n')}\n`);
} catch (error) {
  // A failed start (store unreachable, port taken, bad key file): one line, no stack, exit 1.
  process.stderr.write(`leadgate: could not start: ${describe(error)}\n`);
  process.exit(1);
}
