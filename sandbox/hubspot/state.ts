import type { Clock } from './clock.ts';
import type { FaultInjector } from './faults.ts';
import { Portal } from './portal.ts';
import { TokenRegistry } from './tokens.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/** Every scope the emulator knows; a private-app token of a portal holds them all. */
export const ALL_SCOPES = [
  'oauth',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
  'sales-email-read',
] as const;

export interface AppConfig {
  appId: number;
  clientId: string;
  clientSecret: string;
  /** Redirect URLs the app registered; any http(s) URL is accepted when empty. */
  redirectUrls: readonly string[];
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  status: number;
  portalId: number | undefined;
}

export interface CreatePortalOptions {
  id?: number;
  domain?: string;
}

/** Everything the routes share: the clock, the app, the portals and their tokens. */
export class EmulatorState {
  readonly portals = new Map<number, Portal>();
  readonly tokens = new TokenRegistry();
  readonly requests: RequestRecord[] = [];
  private nextPortalId = 88_000_001;

  constructor(
    readonly clock: Clock,
    readonly app: AppConfig,
    readonly faults: FaultInjector,
    readonly webhooks: WebhookDispatcher,
  ) {}

  createPortal(options: CreatePortalOptions = {}): Portal {
    const id = options.id ?? this.nextPortalId++;
    if (this.portals.has(id)) throw new Error(`portal ${id} exists already`);
    const portal = new Portal(id, options.domain ?? `portal-${id}.example.com`, this.clock.now());
    this.portals.set(id, portal);
    this.tokens.registerPrivate(id, portal.privateAppToken, ALL_SCOPES);
    portal.onChange((change) => {
      this.webhooks.handle(change);
    });
    return portal;
  }
}
