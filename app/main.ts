/**
 * `npm start`: the HTTP server and a job worker in one process. A thin shell over app/runtime, which
 * tests drive in-process; this file only reads the environment, prints, and wires the signals.
 */
import { ConfigError, loadConfig } from './kit/config/index.ts';
import type { Config } from './kit/config/index.ts';
import { buildRuntime, runtimeBanner } from './runtime/index.ts';
import { installShutdownHandlers } from './kit/http/index.ts';

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

/** The bare server: production, or sandbox mode with LEADGATE_SANDBOX_DEMO=off. */
async function startServer(config: Config): Promise<void> {
  const runtime = await buildRuntime(config);
  installShutdownHandlers({ closers: runtime.closers, logger: runtime.logger });
  process.stdout.write(`${runtimeBanner(runtime).join('\n')}\n`);
}

const config = configOrExit();
try {
  if (config.sandbox && config.sandboxDemo.enabled) {
    // The demo (both emulators, the generator) is loaded only here, in sandbox mode: with CRM
    // credentials configured the process never loads an emulator (dependency rule in .dependency-cruiser.cjs).
    const { startDemo } = await import('../demo/index.ts');
    await startDemo(config);
  } else {
    await startServer(config);
  }
} catch (error) {
  // A failed start (store unreachable, port taken, bad key file): one line, no stack, exit 1.
  process.stderr.write(`leadgate: could not start: ${describe(error)}\n`);
  process.exit(1);
}
