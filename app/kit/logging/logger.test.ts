import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { runWithRequestContext } from './request-context.ts';

function capture(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, message and timestamp', () => {
    const out = capture();
    createLogger({ level: 'info', stream: out.stream }).info('started', { port: 3000 });
    expect(out.lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'started',
        port: 3000,
        timestamp: expect.any(String) as unknown,
      }),
    ]);
  });

  it('adds the request id of the surrounding request context', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', stream: out.stream });
    await runWithRequestContext({ requestId: 'req-1' }, async () => {
      await Promise.resolve();
      logger.info('inside');
    });
    logger.info('outside');
    const [inside, outside] = out.lines();
    expect(inside?.requestId).toBe('req-1');
    expect(outside).not.toHaveProperty('requestId');
  });

  it('redacts meta and message, including child bindings', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', stream: out.stream }).child({ apiKey: 'lg_abc_def' });
    logger.warn('token pat-na1-11111111-2222 for ann@example.com', {
      password: 'p',
      user: { lastname: 'Doe' },
    });
    const text = JSON.stringify(out.lines());
    for (const secret of ['lg_abc_def', 'pat-na1', 'ann@example.com', '"p"', 'Doe'])
      expect(text).not.toContain(secret);
  });

  it('does not let meta overwrite the level or the message', () => {
    const out = capture();
    createLogger({ level: 'info', stream: out.stream }).info('real', { level: 'error', message: 'fake' });
    expect(out.lines()[0]).toMatchObject({
      level: 'info',
      message: 'real',
      meta_level: 'error',
      meta_message: 'fake',
    });
  });

  it('drops lines below the configured level', () => {
    const out = capture();
    createLogger({ level: 'warn', stream: out.stream }).info('quiet');
    expect(out.lines()).toEqual([]);
  });
});
