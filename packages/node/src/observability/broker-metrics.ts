import type { Counter, Meter } from '@opentelemetry/api';
import type { PartitionHandle } from '@oxbow/partition-actor';

/** A partition as the metrics see it. */
export interface PartitionView {
  readonly topic: string;
  readonly partition: number;
  readonly handle: PartitionHandle;
}

/**
 * Broker-level metrics (BRIEF §9): bytes in and out per topic, and each local partition's log
 * end offset, high watermark and log start offset, read when Prometheus scrapes.
 */
export class BrokerMetrics {
  readonly bytesIn: Counter;
  readonly bytesOut: Counter;

  constructor(meter: Meter, partitions: () => Iterable<PartitionView>) {
    this.bytesIn = meter.createCounter('oxbow_bytes_in', { description: 'Record bytes accepted by Produce, per topic', unit: 'By' });
    this.bytesOut = meter.createCounter('oxbow_bytes_out', { description: 'Record bytes returned by Fetch, per topic', unit: 'By' });
    const gauge = (name: string, description: string, read: (h: PartitionHandle) => bigint): void => {
      meter.createObservableGauge(name, { description }).addCallback((result) => {
        for (const p of partitions()) result.observe(Number(read(p.handle)), { topic: p.topic, partition: p.partition });
      });
    };
    gauge('oxbow_partition_log_end_offset', 'Next offset to be assigned, per local partition', (h) => h.logEndOffset);
    gauge('oxbow_partition_high_watermark', 'Offset up to which records are committed, per local partition', (h) => h.highWatermark);
    gauge('oxbow_partition_log_start_offset', 'First offset still in the log, per local partition', (h) => h.logStartOffset);
  }
}
