/**
 * One end of the loopback TCP measurement, run as its own process:
 *   tcp-peer.ts receive           listens on 127.0.0.1, prints its port, counts what one
 *                                 connection sends, prints {bytes, seconds} when it ends
 *   tcp-peer.ts send PORT SECONDS MAX_MIB
 *                                 writes 1 MiB buffers (respecting backpressure) until SECONDS or
 *                                 MAX_MIB, then ends the connection
 */
import { connect, createServer } from 'node:net';

const MiB = 1024 * 1024;
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'receive') {
  const server = createServer((socket) => {
    let bytes = 0;
    let first = 0;
    socket.on('data', (chunk: Buffer) => {
      if (bytes === 0) first = performance.now();
      bytes += chunk.length;
    });
    socket.on('end', () => {
      const seconds = (performance.now() - first) / 1000;
      process.stdout.write(`${JSON.stringify({ bytes, seconds })}\n`);
      socket.end();
      server.close();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  });
} else if (mode === 'send') {
  const [port, seconds, maxMiB] = rest.map(Number);
  const block = Buffer.alloc(MiB, 0x5a);
  const socket = connect(port ?? 0, '127.0.0.1');
  socket.on('connect', () => {
    const deadline = performance.now() + (seconds ?? 1) * 1000;
    let left = maxMiB ?? 1024;
    const pump = (): void => {
      while (left > 0 && performance.now() < deadline) {
        left--;
        if (!socket.write(block)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  socket.on('data', () => undefined);
  socket.on('close', () => process.exit(0));
} else {
  process.stderr.write('usage: tcp-peer.ts receive | send PORT SECONDS MAX_MIB\n');
  process.exit(2);
}
