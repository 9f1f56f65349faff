import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DeleteTopics (key 20). Up to v5 topics are named in `topicNames`; v6 replaces that with
 * `topics`, where each entry gives a name or a topic id (name null when deleting by id). The
 * response name is nullable from v6 for the same reason.
 *
 * DeleteTopics Request (Version: 6) => [topics] timeout_ms _tagged_fields
 *   topics => name topic_id _tagged_fields
 * DeleteTopics Response (Version: 6) => throttle_time_ms [responses] _tagged_fields
 *   responses => name topic_id error_code error_message _tagged_fields
 */
export const DeleteTopics = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: [
    f.structs('topics', '6+', [
      f.string('name', '6+', { nullable: '6+', default: null }),
      f.uuid('topicId', '6+'),
    ]),
    f.array('topicNames', '0-5', 'string', { ignorable: true }),
    f.int32('timeoutMs', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.structs('responses', '0+', [
      f.string('name', '0+', { nullable: '6+' }),
      f.uuid('topicId', '6+', { ignorable: true }),
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '5+', { nullable: '5+', ignorable: true, default: null }),
    ]),
  ],
});

export type DeleteTopicsRequest = RequestOf<typeof DeleteTopics>;
export type DeleteTopicsResponse = ResponseOf<typeof DeleteTopics>;
