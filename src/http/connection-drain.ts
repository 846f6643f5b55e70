import type { Server } from 'node:http';
import net, { type Socket } from 'node:net';

/** At shutdown, a keep-alive connection without a request for this long is closed. */
export const IDLE_GRACE_MS = 500;

/**
 * Graceful stop of an HTTP server under keep-alive load. `drain()` stops accepting
 * connections; every response from then on says `Connection: close`, so a connection
 * closes after the request it is answering; a connection idle for IDLE_GRACE_MS is
 * closed by the server. Resolves when no connection is left.
 *
 * Node 20's `server.close()` destroys idle keep-alive connections at once: a client
 * that had just sent its next request on one sees it reset. A connection here is
 * only closed by the server once it has stayed idle, so a client that keeps it busy
 * always gets its answer (with `Connection: close`) and opens a new connection, which
 * is refused.
 */
export function createConnectionDrain(server: Server, options: { idleGraceMs?: number } = {}) {
  const idleGraceMs = options.idleGraceMs ?? IDLE_GRACE_MS;
  const connections = new Map<Socket, { active: number; idleSince: number }>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Ahead of the application's listener, so the header is set before anything is written.
  server.prependListener('request', (req, res) => {
    const state = connections.get(req.socket);
    if (state) state.active += 1;
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      if (!state) return;
      state.active -= 1;
      state.idleSince = performance.now();
    });
  });

  return {
    drain(): Promise<void> {
      draining = true;
      return new Promise((resolve) => {
        const closeIdle = () => {
          const now = performance.now();
          for (const [socket, state] of connections)
            if (state.active === 0 && now - state.idleSince >= idleGraceMs) socket.destroy();
        };
        const sweep = setInterval(closeIdle, 50);
        // net's close (stop accepting), not http's, which would also drop idle connections at once.
        net.Server.prototype.close.call(server, () => {
          clearInterval(sweep);
          resolve();
        });
        closeIdle();
      });
    },
  };
}
export type ConnectionDrain = ReturnType<typeof createConnectionDrain>;
