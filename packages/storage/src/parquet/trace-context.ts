import { context, propagation, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { TraceCarrier } from './job.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The carrier for a job: whatever the installed propagator injects, plus a W3C `traceparent` of
 * our own when it injected none (no SDK in this thread yet, or a non-W3C propagator), so the
 * worker can always parent its span.
 */
export function injectTraceCarrier(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  const sc = trace.getSpanContext(ctx);
  if (carrier.traceparent === undefined && sc !== undefined && trace.isSpanContextValid(sc)) {
    carrier.traceparent = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }
  return carrier;
}

/** Reads a W3C `traceparent` into a remote span context. */
export function extractTraceparent(carrier: TraceCarrier): SpanContext | undefined {
  const m = TRACEPARENT.exec(carrier.traceparent ?? '');
  if (m === null) return undefined;
  const sc: SpanContext = { traceId: m[1] ?? '', spanId: m[2] ?? '', traceFlags: Number.parseInt(m[3] ?? '0', 16), isRemote: true };
  return trace.isSpanContextValid(sc) ? sc : undefined;
}
