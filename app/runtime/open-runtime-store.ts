import type { Config } from '../kit/config/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import { tightenPrivateDirIfExists } from '../kit/private-files.ts';
import type { PermissionChange } from '../kit/private-files.ts';
import { openStore } from '../kit/store/index.ts';
import type { Store, StoreConfig } from '../kit/store/index.ts';

export interface RuntimeStoreOptions {
  /** PostgreSQL schema (default `public`); tests give each run its own and drop it. */
  readonly postgresSchema?: string;
  /** Ask for a small pool when many processes share one PostgreSQL (tests, the CLI). */
  readonly maxConnections?: number;
}

/** Maps the validated configuration to the store's own config (the SQLite path is already under the data dir). */
export function storeConfigOf(
  config: Pick<Config, 'database'>,
  options: RuntimeStoreOptions = {},
): StoreConfig {
  if (config.database.kind === 'sqlite') return { kind: 'sqlite', path: config.database.path };
  return {
    kind: 'postgres',
    url: config.database.url,
    ...(options.postgresSchema === undefined ? {} : { schema: options.postgresSchema }),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  };
}

export interface OpenedStore {
  readonly store: Store;
  /** Migration names applied by this start, oldest first (empty when the schema was current). */
  readonly applied: readonly string[];
}

/**
 * Opens the configured store and applies pending migrations (serialised across processes by the
 * store, so every app and worker process may do this at start-up). Closes the store again if
 * migrating fails, so a failed start leaves no pool open.
 */
export async function openRuntimeStore(
  config: Pick<Config, 'database' | 'dataDir'>,
  logger: Logger,
  options: RuntimeStoreOptions = {},
): Promise<OpenedStore> {
  // Someone could read these until now: said once, at the start that fixed it.
  const onPermissionsTightened = (change: PermissionChange): void => {
    logger.warn('file permissions tightened', {
      path: change.path,
      from: change.from.toString(8),
      to: change.to.toString(8),
    });
  };
  // The data folder (sandbox key, sandbox.json, the SQLite files) is owner-only whatever the store;
  // with SQLite the store creates it, with PostgreSQL it is created only when something is written.
  tightenPrivateDirIfExists(config.dataDir, onPermissionsTightened);
  const store = openStore(storeConfigOf(config, options), {
    // An idle pooled connection dropped by the server is not fatal: the pool reconnects on next use.
    onBackgroundError: (err) => {
      logger.warn('database connection lost while idle', { err });
    },
    onPermissionsTightened,
  });
  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info('migrations applied', { applied });
    return { store, applied };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
