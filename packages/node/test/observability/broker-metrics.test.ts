import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, produce, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

async function scrape(b: TestBroker): Promise<string> {
  const { host, port } = b.broker.adminAddress();
  return (await fetch(`http://${host}:${port}/metrics`)).text();
}

describe('broker metrics', () => {
  let b: TestBroker;
  beforeAll(async () => {
    b = await startTestBroker();
  });
  afterAll(async () => b.close());

  it('exposes bytes in per topic and each partition offsets on /metrics', async () => {
    const client = await b.client();
    await createTopic(client, 'metered', { partitions: 2 });
    const batch = await recordBatch(4);
    await produce(client, 'metered', 1, batch);
    const text = await scrape(b);
    expect(text).toMatch(new RegExp(`oxbow_bytes_in_total\\{topic="metered"[^}]*\\} ${batch.length}\\b`));
    expect(text).toMatch(/oxbow_partition_log_end_offset\{topic="metered",partition="1"[^}]*\} 4\b/);
    expect(text).toMatch(/oxbow_partition_high_watermark\{topic="metered",partition="1"[^}]*\} 4\b/);
    expect(text).toMatch(/oxbow_partition_log_end_offset\{topic="metered",partition="0"[^}]*\} 0\b/);
    expect(text).toMatch(/oxbow_kafka_requests_total\{api="Produce"/);
  });
});
