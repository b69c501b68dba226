import { createHash, randomBytes } from 'node:crypto';
import { open, seal, type KeyRing } from '../../kit/secrets/index.ts';
import type { EpochMs, Store } from '../../kit/store/index.ts';
import { STATE_TTL_MS } from '../oauth-state.ts';

export type PkceStateStore = Pick<Store, 'saveOAuthState' | 'takeOAuthState'>;

const hashOf = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');
// Binds the sealed verifier to its state: a verifier copied onto another row will not open.
const context = (hash: string): string => `leadgate:pkce:${hash}`;

/**
 * A single-use state whose row also holds the PKCE verifier, sealed: whoever reads the database alone
 * can neither replay the state (only its hash is stored) nor finish the code exchange (salesforce.md §1.3).
 */
export async function issuePkceState(
  store: PkceStateStore,
  ring: KeyRing,
  verifier: string,
  now: EpochMs,
): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  const hash = hashOf(state);
  await store.saveOAuthState(
    hash,
    'salesforce',
    now + STATE_TTL_MS,
    now,
    seal(ring, verifier, context(hash)),
  );
  return state;
}

/** The verifier exactly once per issued state, within its 10 minutes; otherwise why not. */
export async function takePkceState(
  store: PkceStateStore,
  ring: KeyRing,
  state: string,
  now: EpochMs,
): Promise<{ outcome: 'ok'; verifier: string } | { outcome: 'expired' | 'unknown' }> {
  const hash = hashOf(state);
  const taken = await store.takeOAuthState(hash, 'salesforce', now);
  if (taken.outcome !== 'ok') return { outcome: taken.outcome };
  if (taken.verifier === null) return { outcome: 'unknown' };
  return { outcome: 'ok', verifier: open(ring, taken.verifier, context(hash)) };
}
