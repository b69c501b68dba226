/**
 * `npm start`: the HTTP server and a job worker in one process. A thin shell over app/runtime, which
 * tests drive in-process; this file only reads the environment, prints, and wires the signals.
 */
import { ConfigError, loadConfig } from './kit/config/index.ts';
import type { Config } from './kit/config/index.ts';
import { buildRuntime, runtimeBanner } from './runtime/index.ts';
import { runSandboxDemo } from '../demo/index.ts';
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

/** The bare server: production, or sandbox mode with LEADGATE_SANDBOX_DEMO=off. */
async function startServer(config: Config): Promise<void> {
  const runtime = await buildRuntime(config);
  installShutdownHandlers({ closers: runtime.closers, logger: runtime.logger });
  process.stdout.write(`${runtimeBanner(runtime).join('\n')}\n`);
}

/** Sandbox mode: the demo with both CRMs (emulators, installs, backfill, scores), progress on stderr. */
async function startDemo(config: Config): Promise<void> {
  // A signal during the wait for `live` stops the wait; the shutdown handlers close everything.
  const stop = new AbortController();
  const demo = await runSandboxDemo(config, {
    signal: stop.signal,
    onStarted: ({ runtime, closers }) => {
      const abort = {
        name: 'sandbox demo',
        close: () => {
          stop.abort();
          return Promise.resolve();
        },
      };
      installShutdownHandlers({ closers: [abort, ...closers], logger: runtime.logger });
      // The bootstrap `sandbox` key lines are left out: the demo prints its tenant's key instead.
      process.stdout.write(`${runtimeBanner({ ...runtime, sandbox: null }).join('\n')}\n`);
    },
  }).catch((error: unknown) => {
    if (stop.signal.aborted) return undefined;
    throw error;
  });
  if (demo !== undefined) process.stdout.write(`${demo.lines.join('\n')}\n`);
}

const config = configOrExit();
try {
  await (config.sandbox && config.sandboxDemo.enabled ? startDemo(config) : startServer(config));
} catch (error) {
  // A failed start (store unreachable, port taken, bad key file): one line, no stack, exit 1.
  process.stderr.write(`leadgate: could not start: ${describe(error)}\n`);
  process.exit(1);
}
