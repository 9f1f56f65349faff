/**
 * The sending end of the "file to socket" measurement (raw-limits.ts `loopbackFromFile`), run as
 * its own process: what a minimal Node server gets when it does what the broker does for a Fetch,
 * without Kafka: `fetch-file-peer.ts PORT SECONDS FILE` reads FILE (in the page cache) in 4 MiB
 * preads into two reused buffers (the next read runs while the last is written) and writes each
 * to one loopback connection, wrapping at the end of the file, until SECONDS; then ends the
 * connection. The receiver is tcp-peer.ts's, which counts the bytes.
 */
import { open } from 'node:fs/promises';
import { connect } from 'node:net';

const CHUNK = 4 * 1024 * 1024;
const [portText, secondsText, file] = process.argv.slice(2);
if (portText === undefined || file === undefined) {
  process.stderr.write('usage: fetch-file-peer.ts PORT SECONDS FILE\n');
  process.exit(2);
}
const handle = await open(file, 'r');
const size = (await handle.stat()).size;
const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
let position = 0;
let turn = 0;

/** The next chunk of the file, read into the buffer that is not being written. */
async function readNext(): Promise<Buffer> {
  const buf = buffers[turn++ % 2] as Buffer;
  if (position >= size) position = 0;
  const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, size - position), position);
  position += bytesRead;
  return buf.subarray(0, bytesRead);
}

const socket = connect(Number(portText), '127.0.0.1');
socket.on('connect', () => {
  const deadline = performance.now() + Number(secondsText ?? 1) * 1000;
  void (async () => {
    let next = readNext();
    while (performance.now() < deadline) {
      const chunk = await next;
      next = readNext();
      // The buffer is read into again two reads later: wait until the socket has taken it.
      await new Promise<void>((resolve, reject) => socket.write(chunk, (err) => (err ? reject(err) : resolve())));
    }
    await next;
    socket.end();
  })();
});
socket.on('data', () => undefined);
socket.on('close', () => void handle.close().then(() => process.exit(0)));
