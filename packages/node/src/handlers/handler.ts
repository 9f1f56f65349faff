import type { Api, RequestHeader, RequestOf, ResponseInputOf } from '@oxbow/protocol';
import type { BrokerServices } from '../broker/services.js';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  readonly header: RequestHeader;
  readonly apiVersion: number;
  readonly services: BrokerServices;
  /** The client's address, for logs. */
  readonly remote: string;
  /** Aborted when the connection closes (long polls stop waiting). */
  readonly signal: AbortSignal;
  /** Closes the client's connection after this request (Kafka's answer to a failed acks=0 produce). */
  closeConnection(reason: string): void;
}

/**
 * One Kafka API served by the broker (Redpanda's handler-declares-versions idea): the versions it
 * serves, how to answer, and how to answer with one error everywhere (Kafka's
 * `getErrorResponse`) when the handler fails unexpectedly. `handle` returning `null` means no
 * response is sent (acks=0 produce).
 */
export interface Handler<A extends Api> {
  readonly api: A;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: RequestOf<A>, ctx: RequestContext): Promise<ResponseInputOf<A> | null>;
  errorResponse(request: RequestOf<A>, errorCode: number, ctx: RequestContext): ResponseInputOf<A> | null;
}

/** A handler with its API's types erased, as the registry stores it. */
export interface AnyHandler {
  readonly api: Api;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, unknown> | null>;
  errorResponse(request: Record<string, unknown>, errorCode: number, ctx: RequestContext): Record<string, unknown> | null;
}

/** Type-checks a handler against its API's tables, then erases the types for the registry. */
export function defineHandler<A extends Api>(handler: Handler<A>): AnyHandler {
  if (handler.minVersion < handler.api.minVersion || handler.maxVersion > handler.api.maxVersion || handler.minVersion > handler.maxVersion) {
    throw new RangeError(`${handler.api.name} handler serves v${handler.minVersion}-${handler.maxVersion}, outside the codec's ${handler.api.validVersions}`);
  }
  // Methods are bivariant in their parameters, so a typed handler is already an AnyHandler.
  return handler;
}
