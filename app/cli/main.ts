import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.ts';
import { evaluateCommand, scoreCommand, train, type Io } from './model-commands.ts';

/**
 * The `leadgate` command line. Each command declares its options once; `leadgate --help` and
 * `leadgate <command> --help` are generated from the same table.
 */

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  required: string[];
  run(values: Record<string, string | undefined>, io: Io): Promise<void> | void;
}

const COMMANDS: Record<string, Command> = {
  train: {
    summary: 'fit a calibrated model on a labelled CSV and print its held-out metrics as JSON',
    usage:
      'leadgate train --data FILE.csv --label COL [--exclude COL,COL] [--id COL] [--test FILE.csv] [--spec SPEC.json] --out MODEL.json',
    options: {
      data: { type: 'string' },
      label: { type: 'string' },
      exclude: { type: 'string' },
      id: { type: 'string' },
      test: { type: 'string' },
      spec: { type: 'string' },
      out: { type: 'string' },
    },
    required: ['data', 'label', 'out'],
    run(v, io) {
      train(
        {
          data: v.data as string,
          label: v.label as string,
          out: v.out as string,
          exclude: (v.exclude ?? '')
            .split(',')
            .map((c) => c.trim())
            .filter((c) => c !== ''),
          ...(v.id !== undefined ? { id: v.id } : {}),
          ...(v.test !== undefined ? { test: v.test } : {}),
          ...(v.spec !== undefined ? { spec: v.spec } : {}),
        },
        io,
      );
    },
  },
  evaluate: {
    summary: 'print the metrics JSON of a saved model on a labelled CSV',
    usage: 'leadgate evaluate --model MODEL.json --data FILE.csv --label COL',
    options: { model: { type: 'string' }, data: { type: 'string' }, label: { type: 'string' } },
    required: ['model', 'data', 'label'],
    run(v, io) {
      evaluateCommand({ model: v.model as string, data: v.data as string, label: v.label as string }, io);
    },
  },
  score: {
    summary: 'score every row of a CSV: one JSON line per row with score, tier, route and reasons',
    usage: 'leadgate score --model MODEL.json --data FILE.csv [--policy POLICY.json] [--out FILE.jsonl]',
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      policy: { type: 'string' },
    },
    required: ['model', 'data'],
    run(v, io) {
      return scoreCommand(
        {
          model: v.model as string,
          data: v.data as string,
          ...(v.out !== undefined ? { out: v.out } : {}),
          ...(v.policy !== undefined ? { policy: v.policy } : {}),
        },
        io,
      );
    },
  },
};

/** Lets other modules (the server, the worker) add commands without this file knowing them. */
export function registerCommand(name: string, command: Command): void {
  COMMANDS[name] = command;
}

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: leadgate <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "leadgate <command> --help" for a command's options.\n`;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
};

/** Runs the CLI and returns the exit code; errors become one line on stderr. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`leadgate: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    let values: Record<string, string | undefined>;
    try {
      values = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: false })
        .values as Record<string, string | undefined>;
    } catch (error) {
      throw new CliError(
        `${(error as Error).message.split('\n')[0] ?? 'bad arguments'}. Usage: ${command.usage}`,
        2,
      );
    }
    const missing = command.required.filter(
      (option) => values[option] === undefined || values[option] === '',
    );
    if (missing.length > 0) {
      throw new CliError(
        `${name} needs ${missing.map((m) => `--${m}`).join(', ')}. Usage: ${command.usage}`,
        2,
      );
    }
    await command.run(values, io);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`leadgate: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`leadgate: internal error: ${(error as Error).message}\n`);
    return 1;
  }
}
(await import('./platform-commands.ts')).registerPlatformCommands(registerCommand);
