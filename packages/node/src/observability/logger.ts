import { pino, type Logger } from 'pino';
import { isSpanContextValid, trace } from '@opentelemetry/api';

export type { Logger } from 'pino';

/**
 * Structured JSON logs (pino) carrying the active trace and span ids, so a log line can be found
 * from a trace and back. Secrets never reach here: configs are redacted before logging (see
 * config/), and the paths below are a second line of defence.
 */
export function createLogger(options: { level?: string; nodeId?: number; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.OXBOW_LOG_LEVEL ?? 'info',
      base: options.nodeId === undefined ? {} : { node: options.nodeId },
      redact: { paths: ['*.password', '*.secret', '*["s3.secret.access.key"]', '*["external.s3.secret.access.key"]', 'configs.*'], censor: '[redacted]' },
      mixin() {
        const ctx = trace.getActiveSpan()?.spanContext();
        if (ctx === undefined || !isSpanContextValid(ctx)) return {};
        return { trace_id: ctx.traceId, span_id: ctx.spanId };
      },
    },
    options.destination ?? process.stdout,
  );
}
