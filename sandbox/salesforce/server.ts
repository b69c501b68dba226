import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { CometdServer } from './cdc/cometd.ts';
import type { ChangeEvent } from './cdc/bus.ts';
import { systemClock, type Clock } from './clock.ts';
import { SalesforceApiError } from './errors.ts';
import { FaultController } from './faults.ts';
import { sendJson } from './http.ts';
import { bearerUser, oauthRouter } from './oauth/routes.ts';
import type { ConnectedApp } from './oauth/tokens.ts';
import { Org } from './org.ts';
import { bulkQueryRouter } from './rest/bulk-query-routes.ts';
import { compositeRouter } from './rest/composite-routes.ts';
import { dataContext, markTooling } from './rest/context.ts';
import { resourcesRouter, versionsRouter } from './rest/misc-routes.ts';
import { queryRouter } from './rest/query-routes.ts';
import { sobjectRouter } from './rest/sobject-routes.ts';
import { toolingRouter } from './rest/tooling-routes.ts';
import type { CustomFieldMetadata } from './schema/custom-fields.ts';
import { deserializeValue } from './schema/values.ts';
import type { FieldValue } from './schema/types.ts';
import { createCustomField } from './rest/tooling-routes.ts';
import { EmulatorState } from './state.ts';
import { runSoql } from './soql/execute.ts';
import { RecordError } from './errors.ts';

export interface SalesforceEmulatorOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  connectedApps?: ConnectedApp[];
  /** Session inactivity timeout; Salesforce's default is 2 hours. */
  sessionTimeoutMs?: number;
  /** Daily API allocation for orgs created without one (Developer Edition: 15,000). */
  defaultDailyApiLimit?: number;
  jwtAudiences?: string[];
  bulkDefaultMaxRecords?: number;
  bulkPollsUntilComplete?: number;
  cometdConnectTimeoutMs?: number;
  /** How often a held CometD connect re-validates its session; default 10 s. */
  cometdAuthCheckMs?: number;
}

export interface CreateOrgOptions {
  name?: string;
  dailyApiLimit?: number;
  /** The integration user's username; unique across the emulator. */
  username?: string;
}

export interface WriteOptions {
  /** `changeOrigin` of the resulting change events; default: a UI edit (no client id). */
  changeOrigin?: string;
  userId?: string;
}

/** Test handle on one org: seed, inspect and steer it without spending API calls. */
export interface OrgHandle {
  readonly id: string;
  readonly userId: string;
  readonly username: string;
  createUser(username: string): string;
  insert(type: string, records: Record<string, unknown>[], options?: WriteOptions): string[];
  update(type: string, id: string, fields: Record<string, unknown>, options?: WriteOptions): void;
  delete(type: string, id: string, options?: WriteOptions): void;
  convertLead(
    leadId: string,
    options?: { createOpportunity?: boolean; accountId?: string },
  ): {
    accountId: string;
    contactId: string;
    opportunityId: string | null;
  };
  /** Raw stored values (datetimes as epoch ms), or undefined. */
  get(id: string): Record<string, FieldValue> | undefined;
  /** Runs the SOQL subset as the integration user (FLS applies) and returns stored values. */
  query(soql: string): Record<string, FieldValue>[];
  /** Creates a custom field; `openToAll` skips field-level security (seeded fields). */
  createCustomField(
    fullName: string,
    metadata: CustomFieldMetadata,
    options?: { openToAll?: boolean },
  ): string;
  setDailyApiLimit(limit: number): void;
  setApiUsage(used: number): void;
  apiUsage(): { used: number; limit: number };
  changeEvents(): readonly ChangeEvent[];
  issueToken(options?: { userId?: string; clientId?: string; withRefreshToken?: boolean }): {
    accessToken: string;
    refreshToken?: string;
  };
  expireSessions(): void;
}

export interface SalesforceEmulator {
  readonly url: string;
  createOrg(options?: CreateOrgOptions): OrgHandle;
  org(orgId: string): OrgHandle;
  registerConnectedApp(app: ConnectedApp): void;
  readonly faults: FaultController;
  /** CometD clients handshaken and not yet disconnected (change-event subscribers listening now). */
  cometdClients(): number;
  close(): Promise<void>;
}

const UI_ORIGIN = 'com/salesforce/api/soap/64.0;client=SfdcInternalAPI/';
const EMULATOR_CLIENT = 'leadgate-emulator';

export async function startSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
): Promise<SalesforceEmulator> {
  const clock = options.clock ?? systemClock;
  const state = new EmulatorState(clock, options.sessionTimeoutMs ?? 2 * 60 * 60 * 1000, {
    jwtAudiences: options.jwtAudiences ?? ['https://login.salesforce.com', 'https://test.salesforce.com'],
    bulkDefaultMaxRecords: options.bulkDefaultMaxRecords ?? 10_000,
    bulkPollsUntilComplete: options.bulkPollsUntilComplete ?? 0,
    cometdConnectTimeoutMs: options.cometdConnectTimeoutMs ?? 110_000,
    cometdAuthCheckMs: options.cometdAuthCheckMs ?? 10_000,
  });
  state.tokens.apps.set(EMULATOR_CLIENT, {
    clientId: EMULATOR_CLIENT,
    clientSecret: 'emulator-secret',
    redirectUris: [],
  });
  for (const app of options.connectedApps ?? []) state.tokens.apps.set(app.clientId, app);
  const faults = new FaultController();
  const cometd = new CometdServer(state);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // @salesforce/core asks for `//services/data/...` (a double slash); Salesforce serves it.
  app.use((req, _res, next) => {
    if (req.url.startsWith('//')) req.url = req.url.replace(/^\/+/, '/');
    next();
  });
  app.use(faults.middleware((req) => bearerUser(state, req)?.org.id));
  app.use(express.raw({ type: () => true, limit: '150mb' }));
  app.use('/services/oauth2', oauthRouter(state));
  app.get('/id/:orgId/:userId', (req, res) => {
    const found = bearerUser(state, req);
    if (!found || found.org.id !== req.params['orgId'] || found.session.userId !== req.params['userId']) {
      res.status(403).setHeader('Content-Type', 'text/plain');
      res.end('Bad_OAuth_Token');
      return;
    }
    const v = found.user.values;
    sendJson(res, 200, {
      id: state.identityUrl(found.org.id, found.session.userId),
      user_id: found.session.userId,
      organization_id: found.org.id,
      username: v['Username'],
      display_name: v['Name'],
      email: v['Email'],
      active: true,
      user_type: 'STANDARD',
      urls: {
        rest: `${state.baseUrl}/services/data/v{version}/`,
        query: `${state.baseUrl}/services/data/v{version}/query/`,
      },
    });
  });
  app.use(versionsRouter());
  const data = express.Router({ mergeParams: true });
  data.use(dataContext(state));
  data.use(resourcesRouter());
  data.use(
    '/tooling',
    markTooling,
    queryRouter(state),
    toolingRouter(),
    sobjectRouter(),
    compositeRouter(faults),
  );
  data.use('/jobs/query', bulkQueryRouter(state));
  data.use(queryRouter(state), sobjectRouter(), compositeRouter(faults));
  app.use('/services/data/:version', data);
  app.use(cometd.router());
  // Unknown routes fail loudly, naming method and path, so a new client call is noticed.
  app.use((req, res) => {
    sendJson(res, 501, [
      {
        errorCode: 'NOT_IMPLEMENTED',
        message: `The Salesforce emulator does not implement ${req.method} ${req.path}`,
      },
    ]);
  });
  // Express recognises an error handler by its four parameters.
  const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof SalesforceApiError) {
      sendJson(res, err.status, err.toBody());
      return;
    }
    if (err instanceof RecordError) {
      sendJson(res, 400, err.toApiError().toBody());
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    sendJson(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: `Emulator error: ${message}` }]);
  };
  app.use(errorHandler);

  const server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  state.baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const handle = (org: Org, userId: string, username: string): OrgHandle => {
    const ctxFor = (o?: WriteOptions) => ({
      userId: o?.userId ?? userId,
      changeOrigin: o?.changeOrigin ?? UI_ORIGIN,
    });
    const deserialize = (type: string, input: Record<string, unknown>): Record<string, FieldValue> => {
      const object = org.mustObject(type);
      const out: Record<string, FieldValue> = {};
      for (const [k, raw] of Object.entries(input)) {
        const f = org.field(object.name, k);
        if (!f) throw new Error(`${type} has no field ${k}`);
        out[f.name] = deserializeValue(f, raw instanceof Date ? raw.toISOString() : raw);
      }
      return out;
    };
    return {
      id: org.id,
      userId,
      username,
      createUser: (name) =>
        org.insertSystemRecord('User', { Username: name, LastName: name.split('@')[0] ?? name, Email: name }),
      insert: (type, records, o) => {
        const plans = records.map((r) =>
          org.plan('create', org.mustObject(type), deserialize(type, r), userId),
        );
        org.apply(plans, ctxFor(o));
        return plans.map((p) => p.id);
      },
      update: (type, id, fields, o) => {
        const object = org.mustObject(type);
        const rec = org.resolveId(object, id);
        org.apply(
          [org.plan('update', object, deserialize(type, fields), userId, String(rec.values['Id']))],
          ctxFor(o),
        );
      },
      delete: (type, id, o) => {
        org.delete(org.mustObject(type), id, ctxFor(o));
      },
      convertLead: (leadId, o) => org.convertLead(leadId, ctxFor(), o),
      get: (id) => {
        const rec = org.get(id);
        return rec ? { ...rec.values } : undefined;
      },
      query: (soql) => {
        const plan = runSoql(org, userId, soql, { includeDeleted: false, api: 'data' });
        return plan.ids.map((id) => {
          const values = org.get(id)?.values ?? {};
          return Object.fromEntries(plan.fields.map((f) => [f.name, values[f.name] ?? null]));
        });
      },
      createCustomField: (fullName, metadata, o) =>
        createCustomField(org, fullName, metadata, o?.openToAll === true),
      setDailyApiLimit: (limit) => {
        org.dailyApiLimit = limit;
      },
      setApiUsage: (used) => {
        org.setApiUsage(used);
      },
      apiUsage: () => org.apiUsage(),
      changeEvents: () => org.bus.retained(),
      issueToken: (o) => {
        const clientId = o?.clientId ?? EMULATOR_CLIENT;
        const who = o?.userId ?? userId;
        if (o?.withRefreshToken === true) {
          const grant = state.tokens.issueRefreshToken(org.id, who, clientId);
          return {
            accessToken: state.tokens.issueSession(org.id, who, clientId, grant.refreshToken).accessToken,
            refreshToken: grant.refreshToken,
          };
        }
        return { accessToken: state.tokens.issueSession(org.id, who, clientId).accessToken };
      },
      expireSessions: () => {
        state.tokens.expireSessions(org.id);
      },
    };
  };

  const integrationUsers = new Map<string, { userId: string; username: string }>();
  return {
    url: state.baseUrl,
    faults,
    cometdClients: () => cometd.clientCount(),
    registerConnectedApp: (connectedApp) => state.tokens.apps.set(connectedApp.clientId, connectedApp),
    createOrg: (o = {}) => {
      const orgId = state.ids.next('00D');
      const org = new Org(
        orgId,
        o.name ?? `Org ${state.orgs.size + 1}`,
        state.ids,
        clock,
        o.dailyApiLimit ?? options.defaultDailyApiLimit ?? 15_000,
      );
      state.orgs.set(orgId, org);
      const username = o.username ?? `integration@${orgId.toLowerCase()}.example.com`;
      if (state.findUser(username)) throw new Error(`username ${username} already exists`);
      const userId = org.insertSystemRecord('User', {
        Username: username,
        FirstName: 'Integration',
        LastName: 'User',
        Email: username,
      });
      integrationUsers.set(orgId, { userId, username });
      return handle(org, userId, username);
    },
    org: (orgId) => {
      const org = state.orgs.get(orgId);
      const user = integrationUsers.get(orgId);
      if (!org || !user) throw new Error(`unknown org ${orgId}`);
      return handle(org, user.userId, user.username);
    },
    close: async () => {
      cometd.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
      });
    },
  };
}
