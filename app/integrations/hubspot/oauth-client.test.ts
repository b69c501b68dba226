import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../kit/logging/index.ts';
import { createHubSpotOAuthClient } from './oauth-client.ts';

// A HubSpot OAuth access token as it looks (opaque, base64url-ish, no recognisable prefix).
const ACCESS_TOKEN = 'CKPx9aXKMhIHAAEAQAAAARiO1ooBIPz_-Q1xTzYw8kVbXr3fLm0aQ2uE';

/** A port nothing listens on: a server is opened to get a free port, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

describe('portalIdOf (issue 14 item 11)', () => {
  it('fails on a network error with no trace of the access token in its message, stack or log line', async () => {
    const client = createHubSpotOAuthClient({
      clientId: 'id',
      clientSecret: 'secret',
      basePath: `http://127.0.0.1:${await closedPort()}`,
    });
    const error = await client.portalIdOf(ACCESS_TOKEN).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    // The token travels in the URL path (GET /oauth/v1/access-tokens/{token}), and node-fetch puts the
    // URL into the message: whatever keeps the error (a job's last error, a log line) must not see it.
    const text = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String(error);
    expect(text).not.toContain(ACCESS_TOKEN);
    expect(text).not.toContain(ACCESS_TOKEN.slice(0, 12));
    expect(text).toMatch(/ECONNREFUSED|access-tokens/);

    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    createLogger({ level: 'debug', stream }).error('hubspot install failed', { err: error });
    await new Promise((resolve) => setImmediate(resolve));
    const logged = chunks.join('');
    expect(logged).toContain('hubspot install failed');
    expect(logged).not.toContain(ACCESS_TOKEN.slice(0, 12));
  });
});
