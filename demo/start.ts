import type { Config } from '../app/kit/config/index.ts';
import { installShutdownHandlers } from '../app/kit/http/index.ts';
import { runtimeBanner } from '../app/runtime/index.ts';
import { runSandboxDemo } from './run-sandbox-demo.ts';

/**
 * `npm start` in sandbox mode: the demo with both CRMs (emulators, installs, backfill, scores),
 * progress on stderr, the banner on stdout. app/main.ts loads this module only in sandbox mode.
 */
export async function startDemo(config: Config): Promise<void> {
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
