/** Test-only helpers shared by the runtime tests. */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../kit/logging/index.ts';
import type { Logger } from '../../kit/logging/index.ts';

export interface CapturedLogger {
  readonly logger: Logger;
  /** Parsed JSON lines written so far. */
  lines(): Record<string, unknown>[];
}

/** The real winston logger writing into memory, so tests can read what the runtime logged. */
export function capturedLogger(): CapturedLogger {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return {
    logger: createLogger({ level: 'debug', stream }),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * Polls until check returns a value other than undefined. For tests that watch real processes and
 * real sockets, where there is no clock to inject; the deadline keeps a failure from hanging.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : JSON.stringify(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : ` (last error: ${last})`}`);
}
