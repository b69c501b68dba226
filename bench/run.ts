/**
 * `npm run bench`: every bench in turn; `npm run bench -- <name>` runs one (scoring, hubspot).
 * Each module runs when imported and writes its own section of docs/benchmarks.md. Not part of the tests.
 */
const BENCHES: Readonly<Record<string, string>> = {
  scoring: './scoring.ts',
  hubspot: './hubspot.ts',
  salesforce: './salesforce.ts',
};

const asked = process.argv[2];
const names = asked === undefined || asked.startsWith('-') ? Object.keys(BENCHES) : [asked];
for (const name of names) {
  const module = BENCHES[name];
  if (module === undefined) {
    process.stderr.write(`unknown bench "${name}"; one of: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`── bench: ${name} ──\n`);
  // A bench runs on import (top-level code and await), writing its section before this returns.
  await import(module);
}
