/** Platform commands of the `leadgate` CLI: `migrate`, `worker` and `audit verify`. */
import { existsSync } from 'node:fs';
import { verifyAuditChain } from '../kit/audit/index.ts';
import { ConfigError, loadConfig } from '../kit/config/index.ts';
import type { Config } from '../kit/config/index.ts';
import { createLogger, createSilentLogger } from '../kit/logging/index.ts';
import { createRuntimeWorker, openRuntimeStore, storeConfigOf } from '../runtime/index.ts';
import { buildKeyRing } from '../kit/secrets/index.ts';
import { createMetrics, installShutdownHandlers } from '../kit/http/index.ts';
import type { Closer } from '../kit/http/index.ts';
import { openStore } from '../kit/store/index.ts';
import type { Store } from '../kit/store/index.ts';
import { CliError } from './errors.ts';
import type { Command, Io } from './command.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** The message and, when there is one, its cause's ("store is not reachable: connect ECONNREFUSED …"). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

export function configFrom(env: Env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CliError(`invalid configuration: ${error.problems.join('; ')}`);
    }
    throw error;
  }
}

/** Where the store is, for messages; never the PostgreSQL URL, which usually carries a password. */
export function storeLabel(config: Config): string {
  return config.database.kind === 'sqlite' ? `SQLite ${config.database.path}` : 'PostgreSQL';
}

export async function migrateCommand(env: Env, io: Io): Promise<void> {
  const config = configFrom(env);
  let opened: Awaited<ReturnType<typeof openRuntimeStore>>;
  try {
    opened = await openRuntimeStore(config, createSilentLogger(), { maxConnections: 1 });
  } catch (error) {
    throw new CliError(`could not migrate ${storeLabel(config)}: ${describeError(error)}`);
  }
  try {
    const status = await opened.store.migrationStatus();
    if (opened.applied.length === 0) {
      io.stdout(`${storeLabel(config)}: nothing to apply, schema at version ${status.current}\n`);
      return;
    }
    io.stdout(`${storeLabel(config)}: applied ${opened.applied.length} migration(s)\n`);
    for (const name of opened.applied) io.stdout(`  ${name}\n`);
  } finally {
    await opened.store.close();
  }
}

/**
 * Runs job workers only (no HTTP server) until SIGTERM/SIGINT, then lets the current job step
 * finish and closes the store. Exits through installShutdownHandlers.
 */
export async function workerCommand(env: Env, io: Io): Promise<void> {
  const config = configFrom(env);
  const logger = createLogger({ level: config.logLevel });
  let store: Store;
  try {
    ({ store } = await openRuntimeStore(config, logger));
  } catch (error) {
    throw new CliError(`could not open ${storeLabel(config)}: ${describeError(error)}`);
  }
  try {
    // Checked now so a bad key stops the worker at start, not at its first credential.
    buildKeyRing({
      current: config.encryptionKey,
      previous: config.encryptionKeysOld,
      dataDir: config.dataDir,
      sandbox: config.sandbox,
    });
  } catch (error) {
    await store.close();
    throw new CliError(describeError(error));
  }
  // Worker-only processes serve no /metrics; the registry still feeds the event handler.
  const { worker, workerId, jobTypes } = createRuntimeWorker({
    store,
    config,
    logger,
    metrics: createMetrics(),
  });
  worker.start();
  const closers: Closer[] = [
    { name: 'worker', close: () => worker.stop() },
    { name: 'store', close: () => store.close() },
  ];
  const { done } = installShutdownHandlers({ closers, logger });
  io.stdout(
    `leadgate worker ${workerId} running on ${storeLabel(config)}; ` +
      (jobTypes.length === 0
        ? 'no job handlers registered yet (it claims nothing)'
        : `job types ${jobTypes.join(', ')}`) +
      '; stop with SIGTERM\n',
  );
  if ((await done) !== 0) throw new CliError('worker stopped, but a component failed to close (see log)');
}

export async function auditVerifyCommand(env: Env, tenantId: string | undefined, io: Io): Promise<void> {
  const config = configFrom(env);
  // Verification only reads: never create an empty SQLite file where the operator expected data.
  if (config.database.kind === 'sqlite' && !existsSync(config.database.path)) {
    throw new CliError(
      `no database at ${config.database.path} (set LEADGATE_DATA_DIR or LEADGATE_DATABASE_URL)`,
    );
  }
  const store = openStore(storeConfigOf(config, { maxConnections: 1 }));
  try {
    let result: Awaited<ReturnType<typeof verifyAuditChain>>;
    try {
      if ((await store.migrationStatus()).current === 0) {
        throw new CliError(`${storeLabel(config)} has no leadgate schema; run leadgate migrate first`);
      }
      result = await verifyAuditChain(store, tenantId);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`could not read ${storeLabel(config)}: ${describeError(error)}`);
    }
    if (!result.ok) {
      const row = result.firstBrokenId === null ? '' : ` (row id ${result.firstBrokenId})`;
      throw new CliError(
        `audit chain of tenant ${result.tenantId} broken at entry ${result.seq}${row}: ${result.reason}`,
      );
    }
    io.stdout(`ok: ${result.count} entries\n`);
  } finally {
    await store.close();
  }
}

export function platformCommands(env: Env = process.env): Record<string, Command> {
  return {
    migrate: {
      summary: 'apply pending database migrations and list what was applied',
      usage: 'leadgate migrate   (store from LEADGATE_DATA_DIR or LEADGATE_DATABASE_URL)',
      options: {},
      required: [],
      run: (_values, io) => migrateCommand(env, io),
    },
    worker: {
      summary: 'run job workers only (no HTTP server) until SIGTERM',
      usage: 'leadgate worker   (store from LEADGATE_DATA_DIR or LEADGATE_DATABASE_URL)',
      options: {},
      required: [],
      run: (_values, io) => workerCommand(env, io),
    },
    'audit verify': {
      summary: 'check the hash chain of the audit trail; print "ok: N entries" or the first broken link',
      usage: 'leadgate audit verify [--tenant ID]',
      options: { tenant: { type: 'string' } },
      required: [],
      run: (values, io) => auditVerifyCommand(env, values.tenant, io),
    },
  };
}
