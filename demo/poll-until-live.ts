import type { PipelinePhase } from '../app/pipeline/index.ts';

/** A tenant's status, or the demo's view over several (live when all are). */
export interface Phased {
  readonly phase: PipelinePhase;
}

export interface PollUntilLiveOptions<S extends Phased> {
  fetchStatus: () => Promise<S | undefined>;
  onStatus: (status: S) => void;
  /** Epoch ms after which waiting ends with an error. */
  deadline: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
  signal?: AbortSignal;
}

/**
 * Polls the tenant status until it is live. A failed poll is not the end: it can fail while the
 * worker holds the event loop in a long SQLite transaction (a timeout, or a keep-alive connection
 * the server closed: ECONNRESET), and the jobs go on regardless. Only `stopped` or the deadline end
 * the wait, and the deadline's error says what the last poll failed with.
 */
export async function pollUntilLive<S extends Phased>(options: PollUntilLiveOptions<S>): Promise<S> {
  let lastFailure: unknown;
  for (;;) {
    let status: S | undefined;
    try {
      status = await options.fetchStatus();
      lastFailure = undefined;
    } catch (error) {
      lastFailure = error;
    }
    if (status !== undefined) options.onStatus(status);
    if (status?.phase === 'live') return status;
    if (status?.phase === 'stopped') throw new Error('the tenant stopped before going live');
    options.signal?.throwIfAborted();
    if (options.now() > options.deadline) {
      const why = lastFailure instanceof Error ? ` (last status poll failed: ${lastFailure.message})` : '';
      throw new Error(`not live by the deadline${why}`);
    }
    await options.sleep(options.pollMs);
  }
}
