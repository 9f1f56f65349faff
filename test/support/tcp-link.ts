/**
 * A plain TCP forwarder on 127.0.0.1 standing for a network link between nodes (e.g. in front of a
 * node's gRPC endpoint, which the node advertises with --advertise-grpc). `cut()` drops every
 * connection and refuses new ones (a network partition); `heal()` lets traffic through again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpLink {
  readonly port: number;
  readonly address: string;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpLink(targetPort: number): Promise<TcpLink> {
  let open = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    address: `127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    heal() {
      open = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
