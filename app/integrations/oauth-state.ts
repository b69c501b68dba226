import { createHash, randomBytes } from 'node:crypto';
import type { Crm, EpochMs, Store } from '../kit/store/index.ts';

/** An install must finish within 10 minutes; HubSpot's own auth codes live as long (emulator tokens.ts). */
export const STATE_TTL_MS = 10 * 60_000;

export type StateStore = Pick<Store, 'saveOAuthState' | 'consumeOAuthState'>;

const hashOf = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

/** A fresh random state, recorded by hash in the database so any process can take the callback. */
export async function issueState(store: StateStore, crm: Crm, now: EpochMs): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  await store.saveOAuthState(hashOf(state), crm, now + STATE_TTL_MS, now);
  return state;
}

/** 'ok' exactly once per issued state, within its 10 minutes. */
export function consumeState(
  store: StateStore,
  crm: Crm,
  state: string,
  now: EpochMs,
): Promise<'ok' | 'expired' | 'unknown'> {
  return store.consumeOAuthState(hashOf(state), crm, now);
}
