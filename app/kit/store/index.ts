// The store folder's only door: the Store contract, openStore() and the JSON helper others hash with.
export * from './types.ts';
export { openStore } from './open-store.ts';
export type { OpenStoreOptions } from './open-store.ts';
export type { OnPermissionsTightened, PermissionChange } from '../private-files.ts';
export { canonicalJson } from './json.ts';
