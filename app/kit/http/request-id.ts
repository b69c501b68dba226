import { randomUUID } from 'node:crypto';

// Accept a caller's id only if it is short and plain, so a header cannot inject into log lines or
// carry personal data into every log entry.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when sane (so traces join across services), else a new UUID. */
export function chooseRequestId(header: string | undefined): string {
  return header !== undefined && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}
