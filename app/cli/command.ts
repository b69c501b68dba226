import type { ParseArgsConfig } from 'node:util';

/** Where a command writes, and its clock: injected so tests run commands in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
}

/** One CLI command: its options are declared once, and help text is generated from them. */
export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  required: string[];
  run(values: Record<string, string | undefined>, io: Io): Promise<void> | void;
}
