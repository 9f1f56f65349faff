/**
 * How the capture server dispatches requests: one handler per API key, registered with `on` by
 * the responder modules (*-responders.ts). A handler gets the decoded request body and a
 * `respond` that encodes a response frame for the request's version and correlation id (our codec
 * only); it returns the frames to write, or null for no response (Produce with acks=0).
 */
import type { Api, DecodedRequest, RequestOf, ResponseInputOf } from '../../../src/index.js';

export type Responder = <A extends Api>(api: A, body: ResponseInputOf<A>) => Buffer[];
export type Handler = (req: DecodedRequest, respond: Responder) => Promise<Buffer[] | null> | Buffer[] | null;
export type On = <A extends Api>(
  api: A,
  fn: (body: RequestOf<A>, version: number, req: DecodedRequest, respond: Responder) => Promise<Buffer[] | null> | Buffer[] | null,
) => void;

/** An empty handler table and the `on` that fills it. */
export function handlerTable(): { handlers: Map<number, Handler>; on: On } {
  const handlers = new Map<number, Handler>();
  const on: On = (api, fn) => {
    handlers.set(api.apiKey, (req, respond) => fn(req.body as RequestOf<typeof api>, req.header.apiVersion, req, respond));
  };
  return { handlers, on };
}
