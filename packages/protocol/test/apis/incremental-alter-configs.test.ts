import { describe, expect, it } from 'vitest';
import { IncrementalAlterConfigs } from '../../src/apis/incremental-alter-configs.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

// kafkajs has no IncrementalAlterConfigs, so these bytes are built by hand from the spec.
const SET = 0;
const DELETE = 1;

const request = {
  resources: [
    {
      resourceType: 2,
      resourceName: 't',
      configs: [
        { name: 'a', configOperation: SET, value: '1' },
        { name: 'b', configOperation: DELETE, value: null },
      ],
    },
  ],
  validateOnly: true,
};

describe('IncrementalAlterConfigs', () => {
  it('v0 request bytes', () => {
    const expected = Buffer.from([
      0, 0, 0, 1, // resources: length 1
      2, // resourceType TOPIC
      0, 1, 0x74, // resourceName "t"
      0, 0, 0, 2, // configs: length 2
      0, 1, 0x61, // name "a"
      0, // configOperation SET
      0, 1, 0x31, // value "1"
      0, 1, 0x62, // name "b"
      1, // configOperation DELETE
      0xff, 0xff, // value null
      1, // validateOnly
    ]);
    const w = new Writer();
    IncrementalAlterConfigs.encodeRequest(w, 0, request);
    expect(w.toBuffer()).toEqual(expected);
    expect(IncrementalAlterConfigs.decodeRequest(new Reader(expected), 0)).toEqual(request);
  });

  it('v1 request bytes, with an unknown tagged field kept', () => {
    const body = { ...request, _unknownTaggedFields: [{ tag: 5, data: Buffer.from([0xab, 0xcd]) }] };
    const expected = Buffer.from([
      2, // resources: compact length 1
      2, // resourceType TOPIC
      2, 0x74, // resourceName "t"
      3, // configs: compact length 2
      2, 0x61, 0, 2, 0x31, 0, // name "a", SET, value "1", tagged fields
      2, 0x62, 1, 0, 0, // name "b", DELETE, value null, tagged fields
      0, // resource tagged fields
      1, // validateOnly
      1, 5, 2, 0xab, 0xcd, // tagged fields: 1 field, tag 5, size 2, data
    ]);
    const w = new Writer();
    IncrementalAlterConfigs.encodeRequest(w, 1, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(IncrementalAlterConfigs.decodeRequest(new Reader(expected), 1)).toEqual(body);
  });

  it('v1 response bytes', () => {
    const body = {
      throttleTimeMs: 2,
      responses: [{ errorCode: 40, errorMessage: 'x', resourceType: 4, resourceName: '1' }],
    };
    const expected = Buffer.from([
      0, 0, 0, 2, // throttleTimeMs
      2, // responses: compact length 1
      0, 40, // errorCode INVALID_CONFIG
      2, 0x78, // errorMessage "x"
      4, // resourceType BROKER
      2, 0x31, // resourceName "1"
      0, // response tagged fields
      0, // tagged fields
    ]);
    const w = new Writer();
    IncrementalAlterConfigs.encodeResponse(w, 1, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(IncrementalAlterConfigs.decodeResponse(new Reader(expected), 1)).toEqual(body);
  });
});
