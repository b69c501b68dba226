/** Epoch milliseconds; injected so limits, token expiry and replay retention are testable without waiting. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** REST answers datetimes as `2013-05-20T20:49:32.000+0000` (salesforce.md §2). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}

/** Bulk API 2.0 CSV results write datetimes with a `Z` suffix instead. */
export function formatDateTimeZ(ms: number): string {
  return new Date(ms).toISOString();
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC calendar day, used as the API allocation's reset boundary. */
export function utcDayKey(ms: number): string {
  return formatDate(ms);
}
