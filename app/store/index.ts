// The store folder's only door: the Store contract and openStore().
export * from './types.ts';
