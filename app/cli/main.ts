import { parseArgs } from 'node:util';
import type { Command, Io } from './command.ts';
import { connectCommands } from './connect-commands.ts';
import { CliError } from './errors.ts';
import { evaluateCommand, scoreCommand, train } from './model-commands.ts';
import { platformCommands } from './platform-commands.ts';

/**
 * The `leadgate` command line. Each command declares its options once; `leadgate --help` and
 * `leadgate <command> --help` are generated from the same table.
 */

const MODEL_COMMANDS: Record<string, Command> = {
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

/** Every command by name; a two-word name ("audit verify") is a command with a subcommand. */
const COMMANDS: Record<string, Command> = {
  ...MODEL_COMMANDS,
  ...platformCommands(),
  ...connectCommands(),
};

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
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText());
    return 0;
  }
  const twoWords = `${first} ${second ?? ''}`;
  const name = twoWords in COMMANDS ? twoWords : first;
  const rest = argv.slice(name === twoWords ? 2 : 1);
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
