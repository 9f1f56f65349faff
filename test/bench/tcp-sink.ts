/**
 * The CPU yardstick for the broker: the least a Node process can do with produce traffic and still
 * keep it. Run as its own process: `tcp-sink.ts FILE` listens on 127.0.0.1, prints its port,
 * appends every byte of one connection to FILE (synchronous writes into the page cache, no fsync,
 * like the broker's default), prints {bytes, seconds} when the connection ends, and then waits
 * to be stopped so the harness can read its CPU from /proc.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: tcp-sink.ts FILE\n');
  process.exit(2);
}
const fd = openSync(file, 'a');
const server = createServer((socket) => {
  let bytes = 0;
  let first = 0;
  socket.on('data', (chunk: Buffer) => {
    if (bytes === 0) first = performance.now();
    bytes += writeSync(fd, chunk);
  });
  socket.on('end', () => {
    closeSync(fd);
    process.stdout.write(`${JSON.stringify({ bytes, seconds: (performance.now() - first) / 1000 })}\n`);
    socket.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.once('SIGTERM', () => process.exit(0));
