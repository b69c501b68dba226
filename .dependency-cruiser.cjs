// The import rules of design.md §2 ("who may import whom"), checked by `npm run lint`
// (depcruise) and pinned by test/dependency-rules.test.ts, which breaks each rule on a throw-away
// tree and expects this file to catch it. CommonJS because package.json says "type": "module".
//
// Paths are the resolved files relative to the repository root (e.g. `app/kit/clock.ts`,
// `node_modules/winston/lib/winston.js`, or `fs` for node:fs), or the bare name of a package that
// does not resolve.

// Tests and their helpers may reach across floors (a route test starts an emulator, a store test
// uses its fixtures): they are exempt from every rule but no-circular.
const TESTS = [
  String.raw`\.test\.tsx?$`, // also *.int.test.ts
  String.raw`(^|/)testing\.ts$`,
  String.raw`(^|/)test-support\.ts$`,
  String.raw`(^|/)testdata/`,
  String.raw`(^|/)__tests__/`, // the LWC's jest tests (sfdx-lwc-jest)
  '^test/',
];

// A file of ours (a relative or in-repo import), as opposed to an npm package or a core module.
const OURS = ['local', 'localmodule', 'aliased'];

// Packages that do I/O (logging, HTTP, databases, CRM clients): scoring/ must not reach them.
const IO_PACKAGES = [
  'winston',
  'express',
  'pg',
  'better-sqlite3',
  'kysely',
  'jsforce',
  '@jsforce',
  '@hubspot',
  '@salesforce',
];
// Installed (node_modules/winston/...) or not resolvable (winston).
const ioPackage = [`(^|/)node_modules/(${IO_PACKAGES.join('|')})(/|$)`, `^(${IO_PACKAGES.join('|')})(/|$)`];

// The composition floor of app/: it only assembles features (design.md §2).
const COMPOSITION = String.raw`^app/(server/|runtime/|cli/|main\.ts$)`;

// Production code: what `npm start` and the CRM cards run.
const PRODUCTION = '^(app|connectors|scoring|cards|lib)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle makes module start-up order matter (an import is undefined while its cycle ' +
        'loads) and means two modules are one: merge them or move the shared part down a floor. ' +
        'A cycle through `import type` counts too (the modules are still tangled), and so do ' +
        'tests (design.md §2: nothing imports in a circle).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'scoring-is-pure',
      comment:
        'scoring/ has no clock, no logger, no network, no database: every input is an argument, ' +
        'so it is tested with tables and scores millions of leads in-process (design.md §2). ' +
        'No node core module, no I/O package, nothing of ours outside scoring/.',
      severity: 'error',
      from: { path: '^scoring/', pathNot: TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'scoring-is-pure',
      comment: 'scoring/ is pure (see above): no package that does I/O.',
      severity: 'error',
      from: { path: '^scoring/', pathNot: TESTS },
      to: { path: ioPackage },
    },
    {
      name: 'scoring-is-pure',
      comment: 'scoring/ is pure (see above): nothing of ours outside scoring/.',
      severity: 'error',
      from: { path: '^scoring/', pathNot: TESTS },
      to: { dependencyTypes: OURS, pathNot: '^scoring/' },
    },
    {
      name: 'connectors-stand-alone',
      comment:
        'connectors/ talk to a CRM and hand back canonical data; the service (app/), the ' +
        'emulators (sandbox/), the demo, the benchmarks and the tests sit above them, so a ' +
        'connector importing one of them drags it into production and into every other CRM.',
      severity: 'error',
      from: { path: '^connectors/', pathNot: TESTS },
      to: { path: '^(app|sandbox|demo|bench|test)/' },
    },
    {
      name: 'sandbox-stand-alone',
      comment:
        "sandbox/ emulates the vendors' APIs from their documentation, not from our code: a " +
        'value import of app/, demo/ or connectors/ would let our own bugs shape the emulator ' +
        'the tests trust (and tie the emulator to the service). Types of the shapes we share are ' +
        'fine (erased at run time); lib/ (the CSV parser) and scoring/ (seededRandom) are below it.',
      severity: 'error',
      from: { path: '^sandbox/', pathNot: TESTS },
      to: { path: '^(app|demo|connectors)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'production-never-loads-sandbox',
      comment:
        'Production (app/, connectors/, scoring/, cards/, lib/) never loads the emulators or the ' +
        'demo (design.md §2): they answer OAuth with fixed keys and hold seeded data. The one ' +
        'exception, app/main.ts loading demo/ by dynamic import() in sandbox mode, is spelled ' +
        'out in the next two entries of this rule.',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: [...TESTS, String.raw`^app/main\.ts$`] },
      to: { path: '^(sandbox|demo)/' },
    },
    {
      name: 'production-never-loads-sandbox',
      comment:
        'The exception, for app/main.ts: it may load demo/ only by a dynamic ' +
        'import() taken in sandbox mode, so a production start never evaluates the demo. A ' +
        'static import of demo/ (it would run on every start), or any import of sandbox/, fails.',
      severity: 'error',
      from: { path: String.raw`^app/main\.ts$` },
      to: { path: '^demo/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'production-never-loads-sandbox',
      comment: 'app/main.ts never imports sandbox/ (the demo does that), dynamically or not.',
      severity: 'error',
      from: { path: String.raw`^app/main\.ts$` },
      to: { path: '^sandbox/' },
    },
    {
      name: 'kit-below-features',
      comment:
        'app/kit/ (clock, HTTP pieces, audit, auth, config, jobs, logging, secrets, store) is the ' +
        'floor every feature stands on: it imports nothing of app/ above it, neither a feature ' +
        '(integrations/, pipeline/, cards/, admin/, and any feature folder added later) nor the ' +
        'composition (server/, runtime/, cli/, main.ts).',
      severity: 'error',
      from: { path: '^app/kit/', pathNot: TESTS },
      to: { path: '^app/', pathNot: '^app/kit/' },
    },
    {
      name: 'features-below-composition',
      comment:
        'The composition (app/server/, app/runtime/, app/cli/, app/main.ts) only assembles the ' +
        'features; a feature or the kit that imports it goes in a circle through the floors and ' +
        'cannot be tested or reused without the whole app.',
      severity: 'error',
      from: { path: '^app/', pathNot: [...TESTS, COMPOSITION] },
      to: { path: COMPOSITION },
    },
    {
      name: 'lib-stand-alone',
      comment:
        'lib/ holds the bottom pieces both production and sandbox use (lib/csv): it imports ' +
        'nothing of ours outside lib/, or the sandbox would reach production through it.',
      severity: 'error',
      from: { path: '^lib/', pathNot: TESTS },
      to: { dependencyTypes: OURS, pathNot: '^lib/' },
    },
    {
      name: 'cards-contract-only',
      comment:
        'cards/ (the HubSpot UI-extension card, the Salesforce LWC) run in the CRM, not in our ' +
        'process: they know the service through the card JSON contract (cards/contract) only ' +
        '(design.md §2, §9), so nothing of ours outside cards/.',
      severity: 'error',
      from: { path: '^cards/', pathNot: TESTS },
      to: { dependencyTypes: OURS, pathNot: '^cards/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|data|dist|coverage|bench/out)/' },
    // The code imports with explicit .ts extensions (allowImportingTsExtensions), which resolve as
    // written; the tsconfig gives the TypeScript parser the project's settings (NodeNext, jsx).
    tsConfig: { fileName: 'tsconfig.json' },
    // See `import type` edges too (the TypeScript compiler would drop them): sandbox-stand-alone
    // allows them where it forbids value imports.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
