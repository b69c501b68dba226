import type { Clock } from './clock.ts';
import { IdFactory } from './ids.ts';
import type { Org, StoredRecord } from './org.ts';
import { TokenRegistry } from './oauth/tokens.ts';

export interface EmulatorSettings {
  /** Accepted JWT `aud` values besides the emulator's own URL. */
  jwtAudiences: string[];
  /** Bulk API 2.0 results page size when the client sends no `maxRecords`. */
  bulkDefaultMaxRecords: number;
  /** How many status polls a Bulk 2.0 query job answers `InProgress` before `JobComplete`. */
  bulkPollsUntilComplete: number;
  /** How long a CometD `/meta/connect` is held open when nothing arrives. */
  cometdConnectTimeoutMs: number;
  /** How often a held `/meta/connect` re-checks its session (Streaming API "regularly validates" it). */
  cometdAuthCheckMs: number;
}

/** Everything the routes share: orgs, tokens, ids and the clock. */
export class EmulatorState {
  readonly ids = new IdFactory();
  readonly orgs = new Map<string, Org>();
  readonly tokens: TokenRegistry;
  baseUrl = '';

  constructor(
    readonly clock: Clock,
    sessionTimeoutMs: number,
    readonly settings: EmulatorSettings,
  ) {
    this.tokens = new TokenRegistry(clock, sessionTimeoutMs);
  }

  findUser(username: string): { org: Org; user: StoredRecord } | undefined {
    const wanted = username.toLowerCase();
    for (const org of this.orgs.values()) {
      for (const user of org.all('User')) {
        if (String(user.values['Username']).toLowerCase() === wanted) return { org, user };
      }
    }
    return undefined;
  }

  identityUrl(orgId: string, userId: string): string {
    return `${this.baseUrl}/id/${orgId}/${userId}`;
  }
}
