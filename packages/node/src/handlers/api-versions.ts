import { ApiVersions, KafkaErrorCode } from '@oxbow/protocol';
import { defineHandler, type AnyHandler } from './handler.js';

/**
 * ApiVersions (18), derived from the handler registry: exactly the APIs and versions some handler
 * serves. A client asking with a version we do not serve gets the v0-shaped UNSUPPORTED_VERSION
 * answer from the connection layer (see connection.ts), as Kafka does.
 */
export function apiVersionsHandler(registry: () => readonly AnyHandler[]): AnyHandler {
  return defineHandler({
    api: ApiVersions,
    minVersion: 0,
    maxVersion: 4,
    handle: (request) => {
      const pattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;
      // Kafka validates client software name/version in v3+.
      const bad = [request.clientSoftwareName, request.clientSoftwareVersion].some((s) => s !== '' && !pattern.test(s));
      return Promise.resolve({
        errorCode: bad ? KafkaErrorCode.INVALID_REQUEST : 0,
        apiKeys: advertisedVersions(registry()),
        throttleTimeMs: 0,
      });
    },
    errorResponse: (_request, errorCode) => ({ errorCode, apiKeys: [] }),
  });
}

/** The ApiVersions list for a set of handlers, sorted by key. */
export function advertisedVersions(handlers: readonly AnyHandler[]): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return handlers
    .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}
