import { ProtocolError } from '../errors/protocol-error.js';

/*
 * Control records (in batches with the control attribute) have
 *   key   => version int16 (0) | type int16 (0 = ABORT, 1 = COMMIT)
 *   value => version int16 (0) | coordinatorEpoch int32          (transaction end markers)
 */
export const CONTROL_TYPE = { abort: 0, commit: 1 } as const;
export type ControlType = keyof typeof CONTROL_TYPE;

export function encodeControlKey(type: ControlType): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt16BE(0, 0);
  b.writeInt16BE(CONTROL_TYPE[type], 2);
  return b;
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeInt16BE(0, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

/** Reads a control record key; unknown types are reported as their number, as Kafka does. */
export function decodeControlKey(key: Buffer | null): { version: number; type: ControlType | number } {
  if (key === null || key.length < 4) throw new ProtocolError('CORRUPT_RECORD', 'control record key shorter than 4 bytes');
  const version = key.readInt16BE(0);
  const t = key.readInt16BE(2);
  const type = t === 0 ? 'abort' : t === 1 ? 'commit' : t;
  return { version, type };
}

export function decodeEndTxnMarkerValue(value: Buffer | null): { version: number; coordinatorEpoch: number } {
  if (value === null || value.length < 6) throw new ProtocolError('CORRUPT_RECORD', 'transaction marker value shorter than 6 bytes');
  return { version: value.readInt16BE(0), coordinatorEpoch: value.readInt32BE(2) };
}
