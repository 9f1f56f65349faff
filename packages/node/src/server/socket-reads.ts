import type { Socket } from 'node:net';

/**
 * Where a connection's socket reads land: `next()` gives the buffer for the next read, `onRead(n)`
 * takes the `n` bytes that arrived in it, synchronously (the buffer is reused right after).
 */
export interface ReadTarget {
  next(): Buffer;
  onRead(nread: number): void;
}

interface StreamHandle {
  reading?: boolean;
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/**
 * Makes an accepted socket read into caller-chosen buffers, as `net.Socket`'s `onread` option does
 * for client sockets (Node's server cannot pass that option to the sockets it accepts). It sets the
 * same per-socket fields that option sets, found by their symbols' names, so pause(), resume(),
 * idle timeouts, 'end' and 'close' keep working as documented for `onread`. The socket must not
 * have started reading (accept with `pauseOnConnect`). Returns false, changing nothing, where this
 * Node does not have those fields; then `readThroughCopies` is the fallback.
 */
export function readIntoUserBuffers(socket: Socket, target: ReadTarget): boolean {
  const symbols = new Map(Object.getOwnPropertySymbols(socket).map((s) => [s.description, s]));
  const kBuffer = symbols.get('kBuffer');
  const kBufferCb = symbols.get('kBufferCb');
  const kBufferGen = symbols.get('kBufferGen');
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  const fields = socket as unknown as Record<symbol, unknown>;
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return false;
  if (fields[kBuffer] !== null || fields[kBufferGen] !== null || fields[kBufferCb] !== null) return false;
  if (handle === undefined || handle === null || typeof handle.useUserBuffer !== 'function' || handle.reading === true) return false;
  const first = target.next();
  handle.useUserBuffer(first);
  fields[kBuffer] = first;
  fields[kBufferGen] = () => target.next();
  // Returning nothing (not false) keeps reading; backpressure goes through socket.pause().
  fields[kBufferCb] = (nread: number): void => target.onRead(nread);
  return true;
}

/** The portable path: 'data' chunks copied into the target's buffers (one extra copy). */
export function readThroughCopies(socket: Socket, target: ReadTarget): void {
  socket.on('data', (chunk: Buffer) => {
    let p = 0;
    while (p < chunk.length && !socket.destroyed) {
      const buf = target.next();
      const n = chunk.copy(buf, 0, p);
      p += n;
      target.onRead(n);
    }
  });
}
