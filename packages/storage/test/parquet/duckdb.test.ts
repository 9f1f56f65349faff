import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InThreadParquetCodec, PARQUET_WRITERS } from '../../src/index.js';
import { buildBatches, decodeAll, partitionArb } from './helpers.js';

/** DuckDB, an independent reader, opens our files: row counts and values match what was produced. */
describe.each(PARQUET_WRITERS)('DuckDB reads %s files', (writer) => {
  let dir: string;
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  const codec = new InThreadParquetCodec({ writer });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oxbow-parquet-duckdb-'));
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
  });
  afterAll(async () => {
    db.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  it('matches offsets, timestamps, keys, values, headers and producer fields', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(partitionArb, async ({ firstOffset, batches }) => {
        const input = await buildBatches(firstOffset, batches);
        const encoded = await codec.encode(input, { rowGroupBytes: 800, compression: n % 2 === 0 ? 'snappy' : 'gzip' });
        const path = join(dir, `f${n++}.parquet`);
        await writeFile(path, encoded.file);
        const want = (await decodeAll(input)).flatMap((b) =>
          b.records.map((r, i) => ({
            offset: r.offset,
            ts: r.timestamp,
            key: r.key === null ? null : r.key.toString('hex'),
            value: r.value === null ? null : r.value.toString('hex'),
            headers: r.headers.map((h) => `${h.key}=${h.value === null ? 'null' : h.value.toString('hex')}`).join(','),
            producerId: b.producerId,
            producerEpoch: b.producerEpoch,
            sequence: b.baseSequence < 0 ? -1 : (b.baseSequence + Number(r.offset - b.baseOffset)) % 2 ** 31,
            transactional: b.transactional,
            control: b.control,
            batchBase: b.baseOffset,
            tsType: b.timestampType === 'log-append-time' ? 1 : 0,
            first: i === 0,
          })),
        );
        const reader = await db.runAndReadAll(`
          SELECT "offset", epoch_ms("timestamp") AS ts, hex(key) AS key, hex(value) AS value,
                 array_to_string(list_transform(headers, h -> h.key || '=' || coalesce(lower(hex(h.value)), 'null')), ',') AS headers,
                 producer_id, producer_epoch, sequence, is_transactional, is_control, batch_base_offset, timestamp_type
          FROM read_parquet('${path}') ORDER BY "offset"`);
        const rows = reader.getRowsJS();
        expect(rows.length).toBe(encoded.rows);
        expect(rows.length).toBe(want.length);
        rows.forEach((row, i) => {
          const w = want[i]!;
          expect(row[0]).toBe(w.offset);
          expect(row[1]).toBe(w.ts);
          expect(row[2] === null ? null : (row[2] as string).toLowerCase()).toBe(w.key);
          expect(row[3] === null ? null : (row[3] as string).toLowerCase()).toBe(w.value);
          expect(row[4] ?? '').toBe(w.headers);
          expect([row[5], row[6], row[7], row[8], row[9], row[10], row[11]]).toEqual([w.producerId, w.producerEpoch, w.sequence, w.transactional, w.control, w.batchBase, w.tsType]);
        });
      }),
      { numRuns: writer === 'parquetjs-lite' ? 8 : 20 },
    );
  });

  it('sees the schema a lake query expects', async () => {
    const input = await buildBatches(0n, [{ kind: 'plain', compression: 'none', logAppend: false, leaderEpoch: 0, producerId: 0n, producerEpoch: 0, baseSequence: 0, baseTimestamp: 1_700_000_000_000n, records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('x') }], tsDelta: 0n, gap: 0 }], tailGap: 0, gapBefore: 0 }]);
    const path = join(dir, 'schema.parquet');
    await writeFile(path, (await codec.encode(input)).file);
    const reader = await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const types = Object.fromEntries(reader.getRowsJS().map((r) => [r[0] as string, r[1] as string]));
    expect(types).toMatchObject({
      offset: 'BIGINT',
      // parquetjs-lite writes only the legacy TIMESTAMP_MILLIS annotation (no UTC flag).
      timestamp: writer === 'hyparquet-writer' ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP',
      key: 'BLOB',
      value: 'BLOB',
      headers: 'STRUCT("key" VARCHAR, "value" BLOB)[]',
      producer_id: 'BIGINT',
      is_control: 'BOOLEAN',
    });
  });
});
