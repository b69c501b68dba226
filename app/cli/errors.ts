/** An error the CLI reports as one line, `leadgate: <message>`, with a non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2 for a usage mistake, 1 for bad input or a failed run. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
