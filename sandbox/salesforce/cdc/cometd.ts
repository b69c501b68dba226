import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { isRecord, jsonBody, sendJson } from '../http.ts';
import { bearerUser } from '../oauth/routes.ts';
import type { Org } from '../org.ts';
import type { EmulatorState } from '../state.ts';
import { ALL_CHANGE_EVENTS, ReplayIdUnavailableError, channelFor, type ChangeEvent } from './bus.ts';

type Message = Record<string, unknown>;

interface Client {
  id: string;
  org: Org;
  /** The session the client handshook with; Streaming API re-validates it while connected. */
  accessToken: string;
  channels: Set<string>;
  queue: Message[];
  connected: boolean;
  pending?: { res: Response; reply: Message; timer: NodeJS.Timeout };
  stopListening: () => void;
}

const REPLAY_INVALID_PREFIX = '400::';

/**
 * A Bayeux (CometD) long-polling endpoint at `/cometd/XX.X`, speaking what jsforce's Faye client
 * sends: handshake, connect, subscribe with the `replay` extension, unsubscribe, disconnect.
 */
export class CometdServer {
  private readonly clients = new Map<string, Client>();
  private authCheck: NodeJS.Timeout | undefined;

  constructor(private readonly state: EmulatorState) {}

  /**
   * "Streaming API regularly validates the OAuth token or session ID while the client is connected.
   * If client authentication is not valid … a Bayeux message is sent on the /meta/connect channel with
   * an error value of 401::Authentication invalid and an advice field containing reconnect=none"
   * (Streaming API guide, Handling Errors). Long polls do not extend the session: a subscriber whose
   * token nobody else uses loses it after the session timeout.
   */
  private startAuthCheck(): void {
    if (this.authCheck !== undefined) return;
    this.authCheck = setInterval(() => {
      for (const client of this.clients.values()) {
        if (client.pending && !this.state.tokens.session(client.accessToken, { touch: false }))
          this.rejectAuth(client);
      }
    }, this.state.settings.cometdAuthCheckMs);
    this.authCheck.unref();
  }

  private authInvalid(base: Message): Message {
    return {
      ...base,
      successful: false,
      error: '401::Authentication invalid',
      advice: { reconnect: 'none' },
    };
  }

  /** Answers the held connect with the 401 and forgets the client. */
  private rejectAuth(client: Client): void {
    const pending = client.pending;
    if (pending) {
      clearTimeout(pending.timer);
      delete client.pending;
      const { channel, id, clientId } = pending.reply;
      sendJson(pending.res, 200, [this.authInvalid({ channel, id, clientId })]);
    }
    this.drop(client);
  }

  router(): Router {
    const router = Router();
    router.post('/cometd/:version', (req, res) => {
      const body = jsonBody(req);
      const messages = (Array.isArray(body) ? body : [body]).filter(isRecord);
      this.handle(req, res, messages);
    });
    return router;
  }

  /** Handshaken clients not yet disconnected: how many subscribers are listening. */
  clientCount(): number {
    return this.clients.size;
  }

  close(): void {
    if (this.authCheck !== undefined) clearInterval(this.authCheck);
    for (const client of this.clients.values()) this.drop(client);
  }

  private handle(req: Request, res: Response, messages: Message[]): void {
    const replies: Message[] = [];
    let held: { client: Client; reply: Message } | undefined;
    for (const m of messages) {
      const channel = String(m['channel']);
      const base: Message = { channel, id: m['id'] };
      if (channel === '/meta/handshake') replies.push(this.handshake(req, base));
      else {
        const client = this.clients.get(String(m['clientId']));
        if (!client) {
          replies.push({
            ...base,
            successful: false,
            error: '403::Unknown client',
            advice: { reconnect: 'handshake', interval: 0 },
          });
          continue;
        }
        base['clientId'] = client.id;
        if (!bearerUser(this.state, req, { touch: false })) {
          // An expired session ends the stream; jsforce's AuthFailure extension watches for reconnect "none".
          replies.push(this.authInvalid(base));
          this.drop(client);
          continue;
        }
        if (channel === '/meta/connect') held = { client, reply: { ...base, successful: true } };
        else if (channel === '/meta/subscribe') replies.push(this.subscribe(client, base, m));
        else if (channel === '/meta/unsubscribe') {
          client.channels.delete(String(m['subscription']));
          replies.push({ ...base, subscription: m['subscription'], successful: true });
        } else if (channel === '/meta/disconnect') {
          this.drop(client);
          replies.push({ ...base, successful: true });
        } else
          replies.push({
            ...base,
            successful: false,
            error: `405::Publishing to ${channel} is not supported`,
          });
      }
    }
    if (!held) {
      sendJson(res, 200, replies);
      return;
    }
    const { client, reply } = held;
    reply['advice'] = {
      reconnect: 'retry',
      interval: 0,
      timeout: this.state.settings.cometdConnectTimeoutMs,
    };
    // The first connect answers at once; later ones wait for events or the timeout.
    if (!client.connected || client.queue.length > 0 || replies.length > 0) {
      client.connected = true;
      const events = client.queue.splice(0);
      sendJson(res, 200, [...replies, ...events, reply]);
      return;
    }
    this.hold(client, res, reply);
  }

  private handshake(req: Request, base: Message): Message {
    const found = bearerUser(this.state, req, { touch: false });
    if (!found) {
      return {
        ...base,
        successful: false,
        error: '403::Handshake denied',
        advice: { reconnect: 'none' },
        ext: { sfdc: { failureReason: '401::Authentication invalid' }, replay: true },
      };
    }
    this.startAuthCheck();
    const client: Client = {
      id: randomBytes(12).toString('base64url'),
      org: found.org,
      accessToken: found.session.accessToken,
      channels: new Set(),
      queue: [],
      connected: false,
      stopListening: () => undefined,
    };
    client.stopListening = found.org.bus.listen((event) => {
      this.deliver(client, event);
    });
    this.clients.set(client.id, client);
    return {
      ...base,
      version: '1.0',
      minimumVersion: '1.0',
      clientId: client.id,
      supportedConnectionTypes: ['long-polling'],
      successful: true,
      ext: { replay: true, 'payload.format': true },
      advice: { reconnect: 'retry', interval: 0, timeout: this.state.settings.cometdConnectTimeoutMs },
    };
  }

  private subscribe(client: Client, base: Message, m: Message): Message {
    const subscription = String(m['subscription']);
    const reply: Message = { ...base, subscription };
    const entity = /^\/data\/(\w+)ChangeEvent$/.exec(subscription)?.[1];
    const valid =
      subscription === ALL_CHANGE_EVENTS ||
      (entity !== undefined && client.org.object(entity)?.changeEvents === true);
    if (!valid || (entity !== undefined && channelFor(entity) !== subscription)) {
      return {
        ...reply,
        successful: false,
        error: `400::The channel you requested to subscribe to does not exist {${subscription}}`,
      };
    }
    const ext = m['ext'];
    const replayMap = isRecord(ext) && isRecord(ext['replay']) ? ext['replay'] : {};
    const from = Number(replayMap[subscription] ?? -1);
    try {
      for (const event of client.org.bus.replay(subscription, from))
        client.queue.push(this.toMessage(subscription, event));
    } catch (err) {
      if (err instanceof ReplayIdUnavailableError)
        return { ...reply, successful: false, error: REPLAY_INVALID_PREFIX + err.message };
      throw err;
    }
    client.channels.add(subscription);
    return { ...reply, successful: true };
  }

  private toMessage(channel: string, event: ChangeEvent): Message {
    return {
      channel,
      data: { schema: event.schema, payload: event.payload, event: { replayId: event.replayId } },
    };
  }

  private deliver(client: Client, event: ChangeEvent): void {
    // Validated before delivering: a client whose session ended gets the 401, not the event, and
    // finds it again by replay once it has re-authenticated.
    if (!this.state.tokens.session(client.accessToken, { touch: false })) {
      this.rejectAuth(client);
      return;
    }
    for (const channel of client.channels) {
      if (channel === ALL_CHANGE_EVENTS || channel === event.channel)
        client.queue.push(this.toMessage(channel, event));
    }
    const pending = client.pending;
    if (pending && client.queue.length > 0) {
      clearTimeout(pending.timer);
      delete client.pending;
      sendJson(pending.res, 200, [...client.queue.splice(0), pending.reply]);
    }
  }

  private hold(client: Client, res: Response, reply: Message): void {
    const timer = setTimeout(() => {
      delete client.pending;
      sendJson(res, 200, [reply]);
    }, this.state.settings.cometdConnectTimeoutMs);
    client.pending = { res, reply, timer };
    res.on('close', () => {
      if (client.pending?.res === res) {
        clearTimeout(timer);
        delete client.pending;
      }
    });
  }

  private drop(client: Client): void {
    client.stopListening();
    if (client.pending) {
      clearTimeout(client.pending.timer);
      sendJson(client.pending.res, 200, [client.pending.reply]);
      delete client.pending;
    }
    this.clients.delete(client.id);
  }
}
