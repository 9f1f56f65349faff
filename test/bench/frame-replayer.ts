/**
 * Replays captured Produce request frames (size-prefixed, back to back in FILE) PASSES times over
 * one TCP connection, as its own process:
 *   frame-replayer.ts FILE PORT PASSES request WINDOW   to a Kafka broker: at most WINDOW requests
 *                                                       in flight, every response decoded and its
 *                                                       partition errors counted
 *   frame-replayer.ts FILE PORT PASSES stream           to a byte sink: every frame written (with
 *                                                       backpressure), then the connection ended
 * Prints {frames, bytes, seconds, errors, firstError}.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { FrameDecoder, Produce, decodeResponseFrame } from '@oxbow/protocol';

const [file, portText, passesText, mode, windowText] = process.argv.slice(2);
if (file === undefined || portText === undefined || (mode !== 'request' && mode !== 'stream')) {
  process.stderr.write('usage: frame-replayer.ts FILE PORT PASSES request WINDOW | FILE PORT PASSES stream\n');
  process.exit(2);
}
const data = readFileSync(file);
const captured: Buffer[] = [];
for (let pos = 0; pos + 4 <= data.length; ) {
  const size = data.readInt32BE(pos) + 4;
  captured.push(data.subarray(pos, pos + size));
  pos += size;
}
const passes = Math.max(1, Number(passesText ?? 1));
const frames: Buffer[] = Array.from({ length: passes }, () => captured).flat();
const window = Math.max(1, Number(windowText ?? 1));
const socket = connect(Number(portText), '127.0.0.1');
let t0 = 0;
let errors = 0;
let firstError: string | null = null;
let answered = 0;

function finish(): void {
  const seconds = (performance.now() - t0) / 1000;
  const bytes = frames.reduce((n, f) => n + f.length, 0);
  process.stdout.write(`${JSON.stringify({ frames: frames.length, bytes, seconds, errors, firstError })}\n`);
  process.exit(0);
}

socket.on('error', (err) => {
  process.stderr.write(`replayer: ${err.message}\n`);
  process.exit(1);
});

if (mode === 'stream') {
  socket.on('connect', () => {
    t0 = performance.now();
    let i = 0;
    const pump = (): void => {
      while (i < frames.length) {
        if (!socket.write(frames[i++] as Buffer)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  socket.on('data', () => undefined);
  socket.on('close', finish);
} else {
  // Responses come back in request order on one connection, so the i-th response answers frame i.
  const versions = frames.map((f) => f.readInt16BE(6));
  const decoder = new FrameDecoder();
  let sent = 0;
  const fill = (): void => {
    while (sent < frames.length && sent - answered < window) socket.write(frames[sent++] as Buffer);
  };
  socket.on('connect', () => {
    t0 = performance.now();
    fill();
  });
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      const { body } = decodeResponseFrame(frame, Produce, versions[answered] ?? 0);
      answered++;
      for (const t of body.responses) {
        for (const p of t.partitionResponses) {
          if (p.errorCode !== 0) {
            errors++;
            firstError ??= `${t.name}/${p.index}: error ${p.errorCode} ${p.errorMessage ?? ''}`;
          }
        }
      }
    }
    if (answered === frames.length) finish();
    else fill();
  });
  socket.on('close', () => {
    if (answered < frames.length) {
      process.stderr.write(`replayer: connection closed after ${answered} of ${frames.length} responses\n`);
      process.exit(1);
    }
  });
}
