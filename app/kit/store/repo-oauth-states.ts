import type { Ctx } from './context.ts';
import type { Crm, EpochMs } from './types.ts';
import { requireId, requireTime } from './validate.ts';

export async function saveOAuthState(
  ctx: Ctx,
  stateHash: string,
  crm: Crm,
  expiresAt: EpochMs,
  now: EpochMs,
  verifier?: string,
): Promise<void> {
  // Housekeeping on write: abandoned installs leave rows nobody will consume.
  await ctx.db.deleteFrom('oauth_states').where('expires_at', '<', requireTime('now', now)).execute();
  await ctx.db
    .insertInto('oauth_states')
    .values({
      state_hash: requireId('stateHash', stateHash),
      crm: requireId('crm', crm),
      expires_at: requireTime('expiresAt', expiresAt),
      created_at: now,
      verifier: verifier ?? null,
    })
    .execute();
}

export async function takeOAuthState(
  ctx: Ctx,
  stateHash: string,
  crm: Crm,
  now: EpochMs,
): Promise<{ outcome: 'ok' | 'expired' | 'unknown'; verifier: string | null }> {
  const row = await ctx.db
    .selectFrom('oauth_states')
    .select(['expires_at', 'verifier'])
    .where('state_hash', '=', requireId('stateHash', stateHash))
    .where('crm', '=', crm)
    .executeTakeFirst();
  if (row === undefined) return { outcome: 'unknown', verifier: null };
  // The delete decides: within the transaction (BEGIN IMMEDIATE / row lock) only one caller removes it.
  const res = await ctx.db
    .deleteFrom('oauth_states')
    .where('state_hash', '=', stateHash)
    .where('crm', '=', crm)
    .executeTakeFirst();
  if (res.numDeletedRows !== 1n) return { outcome: 'unknown', verifier: null };
  const outcome = row.expires_at < requireTime('now', now) ? 'expired' : 'ok';
  return { outcome, verifier: outcome === 'ok' ? row.verifier : null };
}
