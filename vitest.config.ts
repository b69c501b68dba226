import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{app,demo,lib,connectors,scoring,cards,sandbox,manifest,bench,test}/**/*.test.{ts,tsx}'],
    exclude: ['node_modules/**', 'force-app/**', 'cards/salesforce/force-app/**', 'data/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
