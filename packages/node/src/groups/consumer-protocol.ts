import { Reader } from '@oxbow/protocol';

/**
 * The topics a "consumer"-protocol member subscribes to, read from its JoinGroup metadata
 * (ConsumerProtocolSubscription: version, [topics], user_data, ...). Every version starts with
 * the INT16 version and the topic array, which is all OffsetDelete needs. Undecodable metadata
 * yields an empty list (the member is then not counted as subscribing to anything).
 */
export function subscribedTopics(metadata: Buffer): string[] {
  try {
    const r = new Reader(metadata);
    r.readInt16();
    const n = r.readArrayLength() ?? 0;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.readString());
    return topics;
  } catch {
    return [];
  }
}
