import { describe, expect, it } from 'vitest';
import { validateLogConfig } from '@oxbow/storage';
import { actorConfigOf, logConfigOf } from '../../src/broker/partition-config.js';
import { resolveTopicConfig } from '../../src/config/index.js';

describe('partition configuration from topic configs', () => {
  it('maps Kafka\'s defaults to a valid log config, clamping "Long.MAX_VALUE = never" to a safe integer', () => {
    const log = logConfigOf(resolveTopicConfig({}, {}));
    expect(() => validateLogConfig(log)).not.toThrow();
    expect(log).toMatchObject({ segmentBytes: 1073741824, retentionMs: 604800000, retentionBytes: -1, cleanupPolicy: ['delete'], flushMessages: Number.MAX_SAFE_INTEGER, flushMs: Number.MAX_SAFE_INTEGER });
  });

  it('carries topic overrides to the log and to the actor', () => {
    const topic = resolveTopicConfig({ 'cleanup.policy': 'compact,delete', 'retention.ms': '-1', 'segment.bytes': '1048576', 'message.timestamp.type': 'LogAppendTime', 'max.message.bytes': '1000', 'min.insync.replicas': '2' }, {});
    expect(logConfigOf(topic)).toMatchObject({ cleanupPolicy: ['compact', 'delete'], retentionMs: -1, segmentBytes: 1048576 });
    expect(actorConfigOf(topic)).toEqual({
      maxMessageBytes: 1000,
      timestampType: 'LogAppendTime',
      timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
      timestampAfterMaxMs: expect.any(Number) as number,
      compacted: true,
      minInsyncReplicas: 2,
    });
  });

  it('takes broker settings as the defaults', () => {
    const topic = resolveTopicConfig({}, { 'log.retention.hours': '1', 'min.insync.replicas': '3' });
    expect(logConfigOf(topic).retentionMs).toBe(3_600_000);
    expect(actorConfigOf(topic).minInsyncReplicas).toBe(3);
  });
});
