import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An application's HTTP endpoint on 127.0.0.1 that records what it is sent
 * (webhooks, back-channel logout tokens) and answers `status`. `down()` stops
 * listening (connections are refused); `up()` listens again on the same port.
 */
export async function startReceiver(status = 200) {
  const received: Received[] = [];
  const state = { status };
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.statusCode = state.status;
          res.end();
        });
      });
      s.on('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve((s.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    state,
    async down() {
      const s = server;
      server = undefined;
      if (s) await new Promise((resolve) => s.close(resolve).closeAllConnections());
    },
    async up() {
      await listen(port);
    },
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Polls `probe` until it returns a value other than undefined; fails after `deadlineMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  deadlineMs = 30_000,
) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
