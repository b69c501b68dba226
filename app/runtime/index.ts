// The runtime folder's only door: the composition root as functions (what `npm start` and
// `leadgate worker` run), the sandbox bootstrap, and the start-up banner.
export { buildRuntime } from './build-runtime.ts';
export type { Runtime, RuntimeOptions, RuntimeUrls } from './build-runtime.ts';
export { runtimeBanner } from './banner.ts';
export { openRuntimeStore, storeConfigOf } from './open-runtime-store.ts';
export type { OpenedStore, RuntimeStoreOptions } from './open-runtime-store.ts';
export { createRuntimeWorker, defaultWorkerId } from './runtime-worker.ts';
export type { JobHandlers, RuntimeWorker, RuntimeWorkerOptions } from './runtime-worker.ts';
export { SANDBOX_TENANT_ID, ensureSandboxAccess } from './sandbox-access.ts';
export type { SandboxAccess, SandboxDeps, SandboxStore } from './sandbox-access.ts';
export {
  SANDBOX_FILE,
  SandboxFileError,
  mergeSandboxFile,
  readSandboxFile,
  sandboxFilePath,
} from './sandbox-file.ts';
export type { SandboxFile } from './sandbox-file.ts';
export { workerEventHandler } from './worker-events.ts';
