import type { Logger } from '../logging/index.ts';

/** Something to stop on shutdown: the HTTP server, the job worker, the store. */
export interface Closer {
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Closes in the given order (server first: no new work; then the worker, which finishes its current
 * job step; the store last, since both use it). A failing closer is logged and the rest still run.
 * Resolves true when every closer succeeded.
 */
export async function runClosers(closers: readonly Closer[], logger: Logger): Promise<boolean> {
  let allClosed = true;
  for (const closer of closers) {
    try {
      await closer.close();
      logger.info('closed', { component: closer.name });
    } catch (error) {
      allClosed = false;
      logger.error('close failed', { component: closer.name, err: error });
    }
  }
  return allClosed;
}

/** The part of `process` the handler uses, so tests can pass an EventEmitter and a fake exit. */
export interface SignalSource {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ShutdownOptions {
  readonly closers: readonly Closer[];
  readonly logger: Logger;
  readonly signals?: readonly NodeJS.Signals[];
  readonly source?: SignalSource;
  readonly exit?: (code: number) => void;
}

/**
 * On the first SIGTERM/SIGINT: run the closers in order, then exit 0 (1 if one failed). A second
 * signal while closing exits 1 at once, for an operator who really means it.
 * Returns a promise that settles when shutdown finishes (handy in tests).
 */
export function installShutdownHandlers(options: ShutdownOptions): { readonly done: Promise<number> } {
  const source: SignalSource = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let shuttingDown = false;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.logger.warn('second signal while shutting down: exiting now', { signal });
      exit(1);
      return;
    }
    shuttingDown = true;
    options.logger.info('shutting down', { signal });
    void runClosers(options.closers, options.logger).then((ok) => {
      const code = ok ? 0 : 1;
      finish(code);
      exit(code);
    });
    // Listen again for the "really, now" signal.
    source.once(signal, () => {
      onSignal(signal);
    });
  };

  for (const signal of signals) {
    source.once(signal, () => {
      onSignal(signal);
    });
  }
  return { done };
}
