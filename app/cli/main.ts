/** Entry point of the `leadgate` command line. Returns the process exit code. */
export function main(argv: readonly string[]): Promise<number> {
  process.stdout.write(`leadgate: ${argv.join(' ')}\n`);
  return Promise.resolve(0);
}
