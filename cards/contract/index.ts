/** The card contract (design §9): types, the ajv schema, a dependency-free guard and the builder. */
export * from './types.ts';
export { CARD_CONTRACT_SCHEMA, cardContractProblems, isCardContract } from './schema.ts';
export { parseCardContract } from './guard.ts';
export { buildCardContract, cardReasons, unscoredCard } from './build.ts';
export type { StoredScoreRow } from './build.ts';
