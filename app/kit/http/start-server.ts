import { createServer } from 'node:http';
import type { RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StartOptions {
  readonly port: number;
  readonly host: string;
  /** After close() is called, how long in-flight requests get before their connections are cut. */
  readonly shutdownTimeoutMs?: number;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:3000` (the real port when 0 was asked for). */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (closing each keep-alive connection
   * as it goes idle), then resolves. Safe to call more than once.
   */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function startServer(app: RequestListener, options: StartOptions): Promise<RunningServer> {
  const server = createServer(app);
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;

  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    // While closing, ask the client not to reuse the connection for another request.
    if (closing !== undefined && !res.headersSent) res.setHeader('Connection', 'close');
    res.on('close', () => {
      inFlight.delete(res);
      // A keep-alive connection that just went idle would otherwise hold close() open.
      if (closing !== undefined) server.closeIdleConnections();
    });
  });

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      server.close((error) => {
        clearTimeout(deadline);
        if (error) reject(error);
        else resolve();
      });
      server.closeIdleConnections();
      // Last resort for a request that never ends: cut it rather than block shutdown forever.
      const deadline = setTimeout(() => {
        server.closeAllConnections();
      }, options.shutdownTimeoutMs ?? 10_000);
      deadline.unref();
    });
    return closing;
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://${urlHost(options.host)}:${port}`, port, close });
    });
  });
}
