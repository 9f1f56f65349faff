import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@oxbow/protocol';
import { FrameReader } from '../../src/server/frame-reader.js';
import { readIntoUserBuffers, readThroughCopies, type ReadTarget } from '../../src/server/socket-reads.js';

/** Size-prefixed frames whose bytes are a running counter, so any misplaced byte shows. */
function frames(sizes: readonly number[]): { stream: Buffer; bodies: Buffer[] } {
  let n = 0;
  const bodies = sizes.map((size) => Buffer.from(Array.from({ length: size }, () => n++ & 0xff)));
  const stream = Buffer.concat(bodies.flatMap((b) => [Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (24 - 8 * i)) & 0xff)), b]));
  return { stream, bodies };
}

/** Feeds `stream` to the reader as a socket would: each read fills at most `readSize` of the buffer the reader gives. */
function feed(reader: FrameReader, stream: Buffer, readSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < stream.length; ) {
    const target = reader.nextBuffer();
    const n = stream.copy(target, 0, p, Math.min(stream.length, p + Math.min(readSize, target.length)));
    p += n;
    out.push(...reader.onRead(n));
  }
  return out;
}

const fresh = (size: number): Buffer => Buffer.allocUnsafe(size);

describe('FrameReader', () => {
  it('returns the same frames however the stream is cut into reads', () => {
    const { stream, bodies } = frames([1, 3, 5, 100, 70_000, 2, 1_000_000, 0, 17, 65_536, 200_000]);
    for (const readSize of [1, 2, 3, 5, 4096, 65_536, 1 << 20]) {
      const got = feed(new FrameReader(1 << 24, fresh, 64 * 1024), stream, readSize);
      expect(got.map((f) => f.length)).toEqual(bodies.map((b) => b.length));
      got.forEach((f, i) => expect(f.equals(bodies[i] as Buffer)).toBe(true));
    }
  });

  it('reads the rest of a large frame straight into the frame and keeps the scratch buffer for the rest', () => {
    const reader = new FrameReader(1 << 24, fresh, 1024);
    const scratch = reader.nextBuffer();
    const { stream } = frames([100_000]);
    stream.copy(scratch, 0, 0, 1024);
    expect(reader.onRead(1024)).toEqual([]);
    const direct = reader.nextBuffer();
    expect(direct.buffer).not.toBe(scratch.buffer);
    expect(direct.length).toBe(100_000 - 1020);
    stream.copy(direct, 0, 1024);
    expect(reader.onRead(direct.length)).toHaveLength(1);
    expect(reader.nextBuffer()).toBe(scratch);
  });

  it('asks the allocator with the frame head it has and uses what it gives', () => {
    const heads: number[] = [];
    const reader = new FrameReader(1 << 24, (size, head) => {
      heads.push(head[0] ?? -1);
      return Buffer.alloc(size);
    });
    const got = feed(reader, frames([10, 300_000]).stream, 64 * 1024);
    expect(heads).toEqual([0, 10]);
    expect(got.map((f) => f.length)).toEqual([10, 300_000]);
  });

  it('rejects negative and too large sizes before allocating', () => {
    let allocated = 0;
    const alloc = (size: number): Buffer => {
      allocated += size;
      return Buffer.alloc(size);
    };
    const tooLarge = Buffer.from([0, 0, 4, 1]); // 1025 > 1024
    expect(() => feed(new FrameReader(1024, alloc), tooLarge, 64)).toThrow(ProtocolError);
    expect(() => feed(new FrameReader(1024, alloc), Buffer.from([0xff, 0xff, 0xff, 0xff]), 64)).toThrow(/NEGATIVE|frame size/);
    expect(allocated).toBe(0);
  });
});

/** An accepted socket (paused, as KafkaServer accepts them) and the client end. */
async function socketPair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  return new Promise((resolve) => {
    const srv = createServer({ pauseOnConnect: true }, (server) => resolve({ server, client, close: () => { client.destroy(); server.destroy(); srv.close(); } }));
    let client: Socket;
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      client = connect(typeof a === 'object' && a !== null ? a.port : 0, '127.0.0.1');
    });
  });
}

describe.each([
  ['user buffers', (s: Socket, t: ReadTarget): void => expect(readIntoUserBuffers(s, t)).toBe(true)],
  ['copies', (s: Socket, t: ReadTarget): void => readThroughCopies(s, t)],
])('socket reads through %s', (_name, install) => {
  it('delivers every byte in order, also across pause and resume', async () => {
    const { server, client, close } = await socketPair();
    try {
      const { stream, bodies } = frames([5, 1_000_000, 40, 300_000, 1]);
      const reader = new FrameReader(1 << 24, fresh, 8 * 1024);
      const got: Buffer[] = [];
      const done = new Promise<void>((resolve) => {
        install(server, {
          next: () => reader.nextBuffer(),
          onRead: (n) => {
            got.push(...reader.onRead(n));
            if (got.length === bodies.length) resolve();
            // A connection pauses when it has too much in flight; resume a little later.
            server.pause();
            setTimeout(() => server.resume(), 1);
          },
        });
      });
      server.resume();
      client.write(stream);
      await done;
      expect(got.map((f) => f.length)).toEqual(bodies.map((b) => b.length));
      got.forEach((f, i) => expect(f.equals(bodies[i] as Buffer)).toBe(true));
    } finally {
      close();
    }
  });
});
