// The HTTP app's only door: createApp assembles the kit's plumbing and the features' routers.
export { createApp } from './app.ts';
export type { AppDeps } from './types.ts';
