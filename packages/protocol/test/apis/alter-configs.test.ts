import { describe, expect, it } from 'vitest';
import { AlterConfigs, type AlterConfigsRequest } from '../../src/apis/alter-configs.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('alterConfigs');

const KJS_VERSIONS = [0, 1];

describe('AlterConfigs', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      resources: [
        {
          type: 2,
          name: 'orders',
          configEntries: [
            { name: 'retention.ms', value: '1000' },
            { name: 'cleanup.policy', value: null },
          ],
        },
        { type: 4, name: '1', configEntries: [] },
      ],
      validateOnly: true,
    });
    const { header, body } = decodeRequestFrame(frame, only(AlterConfigs));
    expect(header).toEqual({ apiKey: 33, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as AlterConfigsRequest).toEqual({
      resources: [
        {
          resourceType: 2,
          resourceName: 'orders',
          configs: [
            { name: 'retention.ms', value: '1000' },
            { name: 'cleanup.policy', value: null },
          ],
        },
        { resourceType: 4, resourceName: '1', configs: [] },
      ],
      validateOnly: true,
    });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const bytes = responseBody(AlterConfigs, version, {
      throttleTimeMs: 4,
      responses: [
        { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' },
        { errorCode: 40, errorMessage: 'bad config', resourceType: 4, resourceName: '1' },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const resources = [
      { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' },
      { errorCode: 40, errorMessage: 'bad config', resourceType: 4, resourceName: '1' },
    ];
    if (version === 0) expect(decoded).toEqual({ throttleTime: 4, resources });
    else expect(decoded).toEqual({ throttleTime: 0, clientSideThrottleTime: 4, resources });
  });

  it('v2 request: compact encoding with a null value', () => {
    const body = {
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'a', value: null }] }],
      validateOnly: true,
    };
    const expected = Buffer.from([
      2, // resources: compact length 1
      2, // resourceType TOPIC
      2, 0x74, // resourceName "t"
      2, // configs: compact length 1
      2, 0x61, // name "a"
      0, // value null
      0, // config tagged fields
      0, // resource tagged fields
      1, // validateOnly
      0, // tagged fields
    ]);
    const w = new Writer();
    AlterConfigs.encodeRequest(w, 2, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(AlterConfigs.decodeRequest(new Reader(expected), 2)).toEqual(body);
  });
});
