import { describe, expect, it } from 'vitest';
import { DescribeConfigs, type DescribeConfigsRequest } from '../../src/apis/describe-configs.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('describeConfigs');

const KJS_VERSIONS = [0, 1, 2];
const TOPIC = 2;
const BROKER = 4;
// Config sources, as Kafka numbers them.
const TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

describe('DescribeConfigs', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      resources: [
        { type: TOPIC, name: 'orders', configNames: ['cleanup.policy', 'retention.ms'] },
        // kafkajs writes an empty key list as null ("all keys").
        { type: BROKER, name: '1' },
      ],
      includeSynonyms: true,
    });
    const { header, body } = decodeRequestFrame(frame, only(DescribeConfigs));
    expect(header).toEqual({ apiKey: 32, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as DescribeConfigsRequest).toEqual({
      resources: [
        { resourceType: TOPIC, resourceName: 'orders', configurationKeys: ['cleanup.policy', 'retention.ms'] },
        { resourceType: BROKER, resourceName: '1', configurationKeys: null },
      ],
      includeSynonyms: version >= 1,
      includeDocumentation: false,
    });
  });

  it('encodes a v0 response (isDefault, no sources) kafkajs can read', async () => {
    const bytes = responseBody(DescribeConfigs, 0, {
      throttleTimeMs: 7,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: TOPIC,
          resourceName: 'orders',
          configs: [
            { name: 'cleanup.policy', value: 'compact', readOnly: false, isDefault: false, isSensitive: false },
            { name: 'secret', value: null, readOnly: true, isDefault: true, isSensitive: true },
          ],
        },
      ],
    });
    expect(await kafkajs.decodeResponse(0, bytes)).toEqual({
      throttleTime: 7,
      resources: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: TOPIC,
          resourceName: 'orders',
          configEntries: [
            // kafkajs derives configSource from isDefault and the resource type for v0.
            { configName: 'cleanup.policy', configValue: 'compact', readOnly: false, isDefault: false, configSource: TOPIC_CONFIG, isSensitive: false },
            { configName: 'secret', configValue: null, readOnly: true, isDefault: true, configSource: DEFAULT_CONFIG, isSensitive: true },
          ],
        },
      ],
    });
  });

  it.each([1, 2])('encodes a v%i response with sources and synonyms kafkajs can read', async (version) => {
    const bytes = responseBody(DescribeConfigs, version, {
      throttleTimeMs: 7,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: TOPIC,
          resourceName: 'orders',
          configs: [
            {
              name: 'cleanup.policy',
              value: 'compact',
              readOnly: false,
              configSource: TOPIC_CONFIG,
              isSensitive: false,
              synonyms: [
                { name: 'cleanup.policy', value: 'compact', source: TOPIC_CONFIG },
                { name: 'log.cleanup.policy', value: 'delete', source: DEFAULT_CONFIG },
              ],
            },
            { name: 'secret', value: null, readOnly: true, configSource: DEFAULT_CONFIG, isSensitive: true, synonyms: [] },
          ],
        },
        { errorCode: 2, errorMessage: 'nope', resourceType: BROKER, resourceName: '9', configs: [] },
      ],
    });
    const resources = [
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: TOPIC,
        resourceName: 'orders',
        configEntries: [
          {
            configName: 'cleanup.policy',
            configValue: 'compact',
            readOnly: false,
            isDefault: false,
            configSource: TOPIC_CONFIG,
            isSensitive: false,
            configSynonyms: [
              { configName: 'cleanup.policy', configValue: 'compact', configSource: TOPIC_CONFIG },
              { configName: 'log.cleanup.policy', configValue: 'delete', configSource: DEFAULT_CONFIG },
            ],
          },
          {
            configName: 'secret',
            configValue: null,
            readOnly: true,
            isDefault: true,
            configSource: DEFAULT_CONFIG,
            isSensitive: true,
            configSynonyms: [],
          },
        ],
      },
      { errorCode: 2, errorMessage: 'nope', resourceType: BROKER, resourceName: '9', configEntries: [] },
    ];
    const decoded = await kafkajs.decodeResponse(version, bytes);
    if (version === 1) expect(decoded).toEqual({ throttleTime: 7, resources });
    else expect(decoded).toEqual({ throttleTime: 0, clientSideThrottleTime: 7, resources });
  });

  it('v4 request: compact encoding with both flags', () => {
    const body = {
      resources: [{ resourceType: TOPIC, resourceName: 't', configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: true,
    };
    const expected = Buffer.from([
      2, // resources: compact length 1
      2, // resourceType TOPIC
      2, 0x74, // resourceName "t"
      0, // configurationKeys null
      0, // resource tagged fields
      1, // includeSynonyms
      1, // includeDocumentation
      0, // tagged fields
    ]);
    const w = new Writer();
    DescribeConfigs.encodeRequest(w, 4, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeConfigs.decodeRequest(new Reader(expected), 4)).toEqual(body);
  });

  it('v4 response: synonyms, config type and documentation', () => {
    const body = {
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: TOPIC,
          resourceName: 't',
          configs: [
            {
              name: 'a',
              value: 'b',
              readOnly: false,
              isDefault: false, // v0 only; decodes as its default
              configSource: TOPIC_CONFIG,
              isSensitive: false,
              synonyms: [{ name: 'a', value: null, source: DEFAULT_CONFIG }],
              configType: 7, // LIST
              documentation: 'd',
            },
          ],
        },
      ],
    };
    const expected = Buffer.from([
      0, 0, 0, 0, // throttleTimeMs
      2, // results: compact length 1
      0, 0, // errorCode
      0, // errorMessage null
      2, // resourceType
      2, 0x74, // resourceName "t"
      2, // configs: compact length 1
      2, 0x61, // name "a"
      2, 0x62, // value "b"
      0, // readOnly
      1, // configSource TOPIC_CONFIG
      0, // isSensitive
      2, // synonyms: compact length 1
      2, 0x61, 0, 5, 0, // synonym name "a", value null, source DEFAULT_CONFIG, tagged fields
      7, // configType
      2, 0x64, // documentation "d"
      0, // config tagged fields
      0, // result tagged fields
      0, // tagged fields
    ]);
    const w = new Writer();
    DescribeConfigs.encodeResponse(w, 4, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeConfigs.decodeResponse(new Reader(expected), 4)).toEqual(body);
  });

  it('rejects isDefault=true at v1+, where the field does not exist', () => {
    expect(() =>
      DescribeConfigs.encodeResponse(new Writer(), 1, {
        throttleTimeMs: 0,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: TOPIC,
            resourceName: 't',
            configs: [{ name: 'a', value: 'b', readOnly: false, isDefault: true, isSensitive: false }],
          },
        ],
      }),
    ).toThrow(/isDefault/);
  });
});
