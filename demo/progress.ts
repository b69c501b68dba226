import type { TenantStatus } from '../app/pipeline/index.ts';

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
  /** Contacts in the portal (Leads and Contacts in the org). */
  readonly contacts: number;
  /** People that may be scored (lawful basis, no opt-out; Salesforce: open Leads and Contacts not opted out). */
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

/** One line per tenant the status lists, led by its CRM: `hubspot     live  synced [...]`. */
export function progressLines(
  statuses: readonly TenantStatus[],
  totals: Readonly<Record<string, ProgressTotals>>,
): string[] {
  return statuses.flatMap((s) => {
    const t = totals[s.crm];
    return t === undefined ? [] : [`${s.crm.padEnd(10)}  ${progressLine(s, t)}`];
  });
}

/**
 * Draws a block of lines on the sink, only when it changes; `done` ends the last one. A terminal
 * gets the block redrawn in place (cursor up over the previous one), a pipe one line per change.
 */
export class ProgressView {
  private last: readonly string[] = [];
  constructor(private readonly sink: ProgressSink) {}

  show(lines: string | readonly string[]): void {
    const block = typeof lines === 'string' ? [lines] : lines;
    if (block.length === 0 || block.join('\n') === this.last.join('\n')) return;
    if (this.sink.isTTY === true) {
      const up = this.last.length > 1 ? `\x1b[${this.last.length - 1}A` : '';
      this.sink.write(`${up}\r${block.map((l) => `${l}\x1b[K`).join('\n')}`);
    } else {
      this.sink.write(`${block.join('\n')}\n`);
    }
    this.last = block;
  }

  done(): void {
    if (this.sink.isTTY === true && this.last.length > 0) this.sink.write('\n');
  }
}
