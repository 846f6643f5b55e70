import net, { type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL, to play a database outage:
 * - `freeze()`: as a SIGSTOPped server: connections are accepted and kept open,
 *   nothing is answered (what is sent waits, and is delivered on `resume()`);
 * - `refuse()`: as a stopped server: existing connections are cut, new ones refused;
 * - `resume()`: back to forwarding (on the same port);
 * - `failOver()`: after a freeze, as a standby taking over at the same address: new
 *   connections are forwarded, the existing ones stay frozen for good (a peer that
 *   never answers nor closes).
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  type Pair = { client: Socket; upstream?: Socket; toUpstream: Buffer[]; toClient: Buffer[]; lost?: boolean };
  const pairs = new Set<Pair>();
  let frozen = false;
  let server: Server | undefined;
  let port = 0;

  const connectUpstream = (pair: Pair) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('data', (d) => (frozen || pair.lost ? pair.toClient.push(d) : pair.client.write(d)));
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
    for (const d of pair.toUpstream.splice(0)) upstream.write(d);
  };

  const onConnection = (client: Socket) => {
    const pair: Pair = { client, toUpstream: [], toClient: [] };
    pairs.add(pair);
    client.on('data', (d) =>
      frozen || pair.lost || !pair.upstream ? pair.toUpstream.push(d) : pair.upstream.write(d),
    );
    client.on('error', () => pair.upstream?.destroy());
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (!frozen) connectUpstream(pair);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const unlisten = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      s.close(() => resolve());
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
    });

  await listen();
  return {
    get port() {
      return port;
    },
    /** `url` with its host and port replaced by the proxy's. */
    route(url: string): string {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    freeze() {
      frozen = true;
    },
    async refuse() {
      frozen = false;
      await unlisten();
    },
    async resume() {
      frozen = false;
      if (!server) await listen();
      for (const pair of pairs) {
        if (!pair.upstream) connectUpstream(pair);
        else for (const d of pair.toUpstream.splice(0)) pair.upstream.write(d);
        for (const d of pair.toClient.splice(0)) pair.client.write(d);
      }
    },
    failOver() {
      for (const pair of pairs) pair.lost = true;
      frozen = false;
    },
    close: unlisten,
  };
}
export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;
