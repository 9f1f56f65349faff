/** Stable codes for coordinator failures that are not Kafka errors. */
export const COORDINATOR_ERROR_CODES = ['corrupt-state', 'cluster-id-mismatch', 'io', 'lifecycle'] as const;
export type CoordinatorErrorCode = (typeof COORDINATOR_ERROR_CODES)[number];

/**
 * A coordinator failure that is not a client's fault: unreadable or corrupt state ('corrupt-state'),
 * a data dir that belongs to another cluster ('cluster-id-mismatch'), a failed disk read or write
 * ('io'), or a call out of lifecycle order ('lifecycle': before `start`, or a write after `close`).
 * Request handlers map it to UNKNOWN_SERVER_ERROR.
 */
export class CoordinatorError extends Error {
  override readonly name = 'CoordinatorError';
  readonly code: CoordinatorErrorCode;
  readonly retriable = false;

  constructor(code: CoordinatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
