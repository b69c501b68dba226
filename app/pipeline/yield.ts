/**
 * Store calls on SQLite (better-sqlite3 under Kysely) resolve in microtasks, which never give the event
 * loop a turn: a pass over thousands of persons would hold timers and sockets for its whole length. A
 * job that held the loop past the HTTP server's 5 s keep-alive timeout let the server close an idle
 * socket just as a client wrote on it (the demo's status-poll ECONNRESET). Passes call this as they go.
 */
export function eventLoopTurns(every = 100): () => Promise<void> {
  let calls = 0;
  return () =>
    ++calls % every === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : Promise.resolve();
}
