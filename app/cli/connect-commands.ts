/** `leadgate connect-salesforce-jwt`: an operator connects an org server-to-server (JWT bearer flow). */
import { readFileSync } from 'node:fs';
import { appendAudit } from '../kit/audit/index.ts';
import {
  createSalesforceConnectorFactory,
  createSalesforceOAuthClient,
} from '../integrations/salesforce/index.ts';
import { connectSalesforceJwt, parseJwtConnectInput } from '../integrations/salesforce/jwt-connect.ts';
import { createSilentLogger } from '../kit/logging/index.ts';
import { openRuntimeStore } from '../runtime/index.ts';
import { buildKeyRing } from '../kit/secrets/index.ts';
import { HttpError } from '../kit/http/index.ts';
import type { AuditAppend } from '../kit/audit/index.ts';
import type { Store } from '../kit/store/index.ts';
import type { Command, Io } from './command.ts';
import { CliError } from './errors.ts';
import { configFrom, describeError, storeLabel, type Env } from './platform-commands.ts';

/** Who the audit trail names for a connect from the command line (no OS user name: names stay out). */
export const CLI_ACTOR = 'cli:operator';

export interface ConnectSalesforceJwtArgs {
  loginUrl: string;
  clientId: string;
  username: string;
  keyFile: string;
}

/** The key file's PEM, or one line saying why not (never its content). */
function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? 'unreadable');
    throw new CliError(`cannot read --key-file ${path}: ${why}`);
  }
}

/** What each checked field must be, as the operator typed it (the schema's patterns are not for people). */
const PROBLEM_OF: readonly (readonly [string, string])[] = [
  ['loginUrl', '--login-url must be an http(s) URL with no path, e.g. https://login.salesforce.com'],
  ['clientId', "--client-id must be the connected app's consumer key (printable, no spaces)"],
  ['username', '--username must be a Salesforce username (name@domain)'],
  ['privateKeyPem', '--key-file must hold a PEM private key (-----BEGIN PRIVATE KEY----- …)'],
];

/** ajv's message names `body.<field>` and the pattern; the CLI names the option instead. */
function validationProblem(error: HttpError): CliError {
  const problems = PROBLEM_OF.filter(([field]) => error.message.includes(field)).map(([, text]) => text);
  return new CliError(problems.length > 0 ? problems.join('; ') : error.message);
}

/**
 * Checks the input, then opens the store and key ring and runs the tested connect function (tenant,
 * encrypted session and key, schema, one backfill queued, audits under CLI_ACTOR). Input is checked
 * before the store opens, so a wrong path or a malformed key leaves nothing behind; a login Salesforce
 * refuses is refused before any tenant exists.
 */
export async function connectSalesforceJwtCommand(
  env: Env,
  args: ConnectSalesforceJwtArgs,
  io: Io,
): Promise<void> {
  const input = {
    loginUrl: args.loginUrl,
    clientId: args.clientId,
    username: args.username,
    privateKeyPem: readKeyFile(args.keyFile),
  };
  try {
    parseJwtConnectInput(input);
  } catch (error) {
    if (error instanceof HttpError) throw validationProblem(error);
    throw error;
  }
  const config = configFrom(env);
  const keyRing = (() => {
    try {
      return buildKeyRing({
        current: config.encryptionKey,
        previous: config.encryptionKeysOld,
        dataDir: config.dataDir,
        sandbox: config.sandbox,
      });
    } catch (error) {
      throw new CliError(describeError(error));
    }
  })();
  let store: Store;
  try {
    ({ store } = await openRuntimeStore(config, createSilentLogger(), { maxConnections: 1 }));
  } catch (error) {
    throw new CliError(`could not open ${storeLabel(config)}: ${describeError(error)}`);
  }
  try {
    const clock = { now: () => io.now().getTime() };
    const audit: AuditAppend = async (entry) => {
      await appendAudit(store, entry, entry.at);
    };
    // The server's connected app when configured (its client id tags our calls for change events);
    // else the one named here, which is all the JWT flow needs.
    const oauth = createSalesforceOAuthClient(
      config.salesforce ?? { clientId: args.clientId, clientSecret: '', loginUrl: args.loginUrl },
    );
    const connectorFor = createSalesforceConnectorFactory({
      store,
      ring: keyRing,
      oauth,
      clock,
      audit,
      sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    });
    let result: Awaited<ReturnType<typeof connectSalesforceJwt>>;
    try {
      result = await connectSalesforceJwt(
        { store, ring: keyRing, clock, audit, connectorFor },
        input,
        CLI_ACTOR,
      );
    } catch (error) {
      if (error instanceof HttpError) throw new CliError(error.message);
      throw new CliError(`could not connect the org: ${describeError(error)}`);
    }
    const { tenant, created, backfillQueued } = result;
    io.stdout(
      [
        `tenant ${tenant.id}`,
        `Salesforce org ${tenant.externalId} ${created ? 'connected: new tenant' : 'reconnected: existing tenant'}` +
          '; session and JWT key stored encrypted; Leadgate fields and permission set in place; ' +
          (backfillQueued
            ? 'backfill queued (a running server or `leadgate worker` runs it)'
            : 'no new backfill (already done or queued)'),
        '',
      ].join('\n'),
    );
  } finally {
    await store.close();
  }
}

export function connectCommands(env: Env = process.env): Record<string, Command> {
  return {
    'connect-salesforce-jwt': {
      summary: 'connect a Salesforce org with the JWT bearer flow (operator action: creates the tenant)',
      usage: 'leadgate connect-salesforce-jwt --login-url URL --client-id ID --username USER --key-file PATH',
      options: {
        'login-url': { type: 'string' },
        'client-id': { type: 'string' },
        username: { type: 'string' },
        'key-file': { type: 'string' },
      },
      required: ['login-url', 'client-id', 'username', 'key-file'],
      run: (v, io) =>
        connectSalesforceJwtCommand(
          env,
          {
            loginUrl: v['login-url'] as string,
            clientId: v['client-id'] as string,
            username: v.username as string,
            keyFile: v['key-file'] as string,
          },
          io,
        ),
    },
  };
}
