import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../logging/index.ts';
import { installShutdownHandlers, runClosers } from './shutdown.ts';
import type { Closer } from './shutdown.ts';

function recorder(order: string[], failing: string[] = []): Closer[] {
  return ['server', 'worker', 'store'].map((name) => ({
    name,
    close: () => {
      order.push(name);
      return failing.includes(name) ? Promise.reject(new Error(`${name} broke`)) : Promise.resolve();
    },
  }));
}

describe('runClosers', () => {
  it('closes server, worker and store in that order', async () => {
    const order: string[] = [];
    expect(await runClosers(recorder(order), createSilentLogger())).toBe(true);
    expect(order).toEqual(['server', 'worker', 'store']);
  });

  it('still closes the rest and reports failure when one closer fails', async () => {
    const order: string[] = [];
    expect(await runClosers(recorder(order, ['worker']), createSilentLogger())).toBe(false);
    expect(order).toEqual(['server', 'worker', 'store']);
  });
});

describe('installShutdownHandlers', () => {
  it('runs the closers in order and exits 0 on SIGTERM', async () => {
    const source = new EventEmitter();
    const order: string[] = [];
    const exits: number[] = [];
    const { done } = installShutdownHandlers({
      closers: recorder(order),
      logger: createSilentLogger(),
      source,
      exit: (code) => exits.push(code),
    });
    source.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(order).toEqual(['server', 'worker', 'store']);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when a closer fails', async () => {
    const source = new EventEmitter();
    const exits: number[] = [];
    const { done } = installShutdownHandlers({
      closers: recorder([], ['store']),
      logger: createSilentLogger(),
      source,
      exit: (code) => exits.push(code),
    });
    source.emit('SIGINT');
    expect(await done).toBe(1);
    expect(exits).toEqual([1]);
  });

  it('exits 1 at once on a second signal while closing', () => {
    const source = new EventEmitter();
    const exits: number[] = [];
    const never: Closer = { name: 'server', close: () => new Promise<void>(() => undefined) };
    installShutdownHandlers({
      closers: [never],
      logger: createSilentLogger(),
      source,
      exit: (code) => exits.push(code),
    });
    source.emit('SIGTERM');
    source.emit('SIGTERM');
    expect(exits).toEqual([1]);
  });
});
