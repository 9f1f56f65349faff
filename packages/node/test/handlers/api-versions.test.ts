import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_APIS, ApiVersions, KafkaErrorCode } from '@oxbow/protocol';
import { advertisedVersions } from '../../src/handlers/api-versions.js';
import { createHandlers } from '../../src/handlers/registry.js';
import { startTestBroker, type TestBroker } from '../test-broker.js';

describe('ApiVersions', () => {
  let b: TestBroker;

  beforeAll(async () => {
    b = await startTestBroker();
  });

  afterAll(async () => {
    await b.close();
  });

  it('advertises exactly the handlers\' version ranges, at every version', async () => {
    const handlers = createHandlers();
    const expected = handlers.map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })).sort((x, y) => x.apiKey - y.apiKey);
    expect(advertisedVersions(handlers)).toEqual(expected);
    const raw = await b.raw();
    for (let version = 0; version <= 4; version++) {
      const names = version >= 3 ? { clientSoftwareName: 'oxbow-test', clientSoftwareVersion: '1.0.0' } : {};
      const id = raw.send(ApiVersions, version, names);
      const { correlationId, body } = await raw.next(ApiVersions, version);
      expect(correlationId).toBe(id);
      expect(body.errorCode).toBe(0);
      expect(body.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion }))).toEqual(expected);
    }
  });

  it('advertises nothing the codec cannot speak and no API twice', () => {
    const handlers = createHandlers();
    expect(new Set(handlers.map((h) => h.api.apiKey)).size).toBe(handlers.length);
    for (const h of handlers) {
      const api = ALL_APIS.find((a) => a.apiKey === h.api.apiKey);
      expect(api, h.api.name).toBeDefined();
      expect(h.minVersion).toBeGreaterThanOrEqual(api?.minVersion ?? Infinity);
      expect(h.maxVersion).toBeLessThanOrEqual(api?.maxVersion ?? -1);
    }
  });

  it('rejects client software names Kafka would reject (v3+) with INVALID_REQUEST', async () => {
    const c = await b.client();
    const bad = await c.send(ApiVersions, { clientSoftwareName: 'bad name!', clientSoftwareVersion: '1.0' }, 3);
    expect(bad.errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
    const empty = await c.send(ApiVersions, { clientSoftwareName: '', clientSoftwareVersion: '' }, 3);
    expect(empty.errorCode).toBe(0);
  });
});
