/** The structured logger the etcd coordinator and the cluster controller report to (a pino-compatible subset). */
export interface CoordinatorLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Default: warnings as process warnings, info dropped. */
export const processWarningLogger: CoordinatorLogger = {
  warn(obj: object, msg: string): void {
    process.emitWarning(`${msg} ${safeJson(obj)}`, 'CoordinatorWarning');
  },
  info(): void {
    // Dropped: a node passes its pino logger to see these.
  },
};

function safeJson(obj: object): string {
  try {
    return JSON.stringify(obj, (_key, value: unknown) => (value instanceof Error ? value.message : value));
  } catch {
    return '';
  }
}
