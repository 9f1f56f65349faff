import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * SaslAuthenticate (key 36). Carries one SASL token each way; `sessionLifetimeMs` (v1+) tells the
 * client when it must re-authenticate (0 means never).
 *
 * SaslAuthenticate Request (Version: 2) => auth_bytes _tagged_fields
 * SaslAuthenticate Response (Version: 2) => error_code error_message auth_bytes session_lifetime_ms
 *   _tagged_fields
 */
export const SaslAuthenticate = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [f.bytes('authBytes', '0+')],
  response: [
    f.int16('errorCode', '0+'),
    f.string('errorMessage', '0+', { nullable: '0+' }),
    f.bytes('authBytes', '0+'),
    f.int64('sessionLifetimeMs', '1+', { default: 0n, ignorable: true }),
  ],
});

export type SaslAuthenticateRequest = RequestOf<typeof SaslAuthenticate>;
export type SaslAuthenticateResponse = ResponseOf<typeof SaslAuthenticate>;
