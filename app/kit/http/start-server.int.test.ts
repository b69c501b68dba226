import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer } from './start-server.ts';

/** A listener whose first request waits until the test releases it. */
function gatedListener(events: string[]): {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  entered: Promise<void>;
  release: () => void;
} {
  let enter: () => void = () => undefined;
  let release: () => void = () => undefined;
  const entered = new Promise<void>((resolve) => {
    enter = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const listener = (_req: IncomingMessage, res: ServerResponse): void => {
    enter();
    void gate.then(() => {
      res.end('finished', () => {
        events.push('response sent');
      });
    });
  };
  return { listener, entered, release };
}

describe('startServer', () => {
  it('reports the real URL and port when asked for port 0', async () => {
    const server = await startServer((_req, res) => res.end('ok'), { port: 0, host: '127.0.0.1' });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await (await fetch(server.url)).text()).toBe('ok');
    await server.close();
  });

  it('finishes an in-flight request, refuses new connections, then resolves close()', async () => {
    const events: string[] = [];
    const gated = gatedListener(events);
    const server = await startServer(gated.listener, { port: 0, host: '127.0.0.1' });
    const inFlight = fetch(server.url).then((res) => res.text());
    await gated.entered;

    const closed = server.close().then(() => {
      events.push('closed');
    });
    await expect(fetch(server.url)).rejects.toThrow();
    expect(events).toEqual([]);

    gated.release();
    expect(await inFlight).toBe('finished');
    await closed;
    expect(events).toEqual(['response sent', 'closed']);
  });

  it('does not wait for idle keep-alive connections when closing', async () => {
    const server = await startServer((_req, res) => res.end('ok'), { port: 0, host: '127.0.0.1' });
    const res = await fetch(server.url, { headers: { connection: 'keep-alive' } });
    expect(await res.text()).toBe('ok');
    await server.close();
    // Reaching here is the assertion: an idle keep-alive socket would otherwise keep close() pending.
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('resolves every call to close() once', async () => {
    const server = await startServer((_req, res) => res.end('ok'), { port: 0, host: '127.0.0.1' });
    await Promise.all([server.close(), server.close()]);
    await server.close();
  });
});
