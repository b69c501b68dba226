/**
 * docs/benchmarks.md is written by more than one bench: each owns a section between HTML-comment
 * markers and replaces only that, so running one bench keeps the others' figures.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCHMARKS_MD = join(ROOT, 'docs', 'benchmarks.md');

const begin = (id: string): string => `<!-- bench:${id}:begin -->`;
const end = (id: string): string => `<!-- bench:${id}:end -->`;

/** The section `id` of the current file, markers included, or '' when it has none. */
export function currentSection(id: string): string {
  if (!existsSync(BENCHMARKS_MD)) return '';
  const text = readFileSync(BENCHMARKS_MD, 'utf8');
  const from = text.indexOf(begin(id));
  const to = text.indexOf(end(id));
  return from === -1 || to === -1 ? '' : text.slice(from, to + end(id).length);
}

/** Replaces (or appends) section `id` of docs/benchmarks.md with `body`. */
export function writeSection(id: string, body: string): void {
  const block = `${begin(id)}\n${body.trim()}\n${end(id)}`;
  const text = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '# Benchmarks\n';
  const old = currentSection(id);
  const next = old === '' ? `${text.trimEnd()}\n\n${block}\n` : text.replace(old, block);
  writeFileSync(BENCHMARKS_MD, next);
}

/** CPU, cores, memory, Node and the load average now: other work on the machine slows every figure. */
export function machine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} (1/5/15 min)`;
}
