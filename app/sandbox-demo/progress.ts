import type { TenantStatus } from '../pipeline/index.ts';

/** Where progress goes: stderr in `npm start`, a buffer in tests. */
export interface ProgressSink {
  write(text: string): void;
  /** A terminal redraws one line with `\r`; a pipe or file gets a line per change instead. */
  readonly isTTY?: boolean;
}

const WIDTH = 20;

/** `synced  [########------------]  2,000/5,000` */
export function bar(label: string, done: number, total: number): string {
  const ratio = total <= 0 ? 0 : Math.min(1, done / total);
  const filled = Math.round(ratio * WIDTH);
  const counts = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${counts}`;
}

export interface ProgressTotals {
  /** Contacts in the portal. */
  readonly contacts: number;
  /** Contacts that may be scored (lawful basis, no opt-out). */
  readonly scorable: number;
}

/** One status line: the phase and a bar per count of GET /api/v1/status. */
export function progressLine(status: TenantStatus, totals: ProgressTotals): string {
  return [
    status.phase.padEnd(11),
    bar('synced', status.synced, totals.contacts),
    bar('scored', status.scored, totals.scorable),
    bar('written', status.written, totals.scorable),
  ].join('  ');
}

/** Draws lines on the sink, only when they change; `done` ends the last one. */
export class ProgressView {
  private last = '';
  constructor(private readonly sink: ProgressSink) {}

  show(line: string): void {
    if (line === this.last) return;
    this.last = line;
    this.sink.write(this.sink.isTTY === true ? `\r${line}\x1b[K` : `${line}\n`);
  }

  done(): void {
    if (this.sink.isTTY === true && this.last !== '') this.sink.write('\n');
  }
}
