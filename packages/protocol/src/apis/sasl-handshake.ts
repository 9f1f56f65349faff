import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * SaslHandshake (key 17). Never flexible. With v0 the SASL tokens that follow travel as raw
 * size-prefixed frames outside the Kafka protocol; with v1 they travel in SaslAuthenticate.
 *
 * SaslHandshake Request (Version: 1) => mechanism
 * SaslHandshake Response (Version: 1) => error_code [mechanisms]
 */
export const SaslHandshake = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: [f.string('mechanism', '0+')],
  response: [f.int16('errorCode', '0+'), f.array('mechanisms', '0+', 'string')],
});

export type SaslHandshakeRequest = RequestOf<typeof SaslHandshake>;
export type SaslHandshakeResponse = ResponseOf<typeof SaslHandshake>;
