/**
 * Keeps an EtcdView current: one (paged) range read of the cluster prefix, then one etcd watch from the
 * next revision, applied one revision at a time (events of one transaction arrive together).
 *
 * Resumption: etcd3 1.1.2 re-creates a dropped watch from the revision *of its last created
 * response*, which can skip events still being replayed when the stream drops again. We set the
 * start revision ourselves on every (re)connect, from the last revision the view applied, and
 * drop replayed events the view already holds. If etcd compacted past that revision, the watch is
 * cancelled; we then reload the whole prefix and apply the difference as events.
 */
import { type Etcd3, type IKeyValue, type IWatchResponse, Range, type Watcher } from 'etcd3';
import type { CoordinatorEvent } from '../coordinator.js';
import type { CoordinatorLogger } from './coordinator-logger.js';
import { type Budget, type EtcdCalls, budget, unavailable } from './etcd-telemetry.js';
import type { EtcdView, ViewChange, ViewKv } from './etcd-view.js';

/** Keys per range read when loading the prefix. */
const LOAD_PAGE_KEYS = 5000;

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class EtcdWatch {
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #view: EtcdView;
  readonly #calls: EtcdCalls;
  readonly #log: CoordinatorLogger;
  readonly #emit: (events: readonly CoordinatorEvent[]) => void;
  readonly #afterApply: () => void;
  #watcher: Watcher | undefined;
  #waiters: Waiter[] = [];
  #stopped = false;
  #resyncing = false;
  #disconnectedSince: number | undefined;

  constructor(
    client: Etcd3,
    prefix: string,
    view: EtcdView,
    calls: EtcdCalls,
    log: CoordinatorLogger,
    emit: (events: readonly CoordinatorEvent[]) => void,
    afterApply: () => void,
  ) {
    this.#client = client;
    this.#prefix = prefix;
    this.#view = view;
    this.#calls = calls;
    this.#log = log;
    this.#emit = emit;
    this.#afterApply = afterApply;
  }

  /** Loads the prefix and starts watching; rejects if etcd does not answer within the budget. */
  async start(b: Budget): Promise<void> {
    await this.#load(b);
    this.#watcher = this.#createWatcher();
  }

  /** Resolves once the view has applied `revision`; rejects with REQUEST_TIMED_OUT at the budget's deadline. */
  awaitRevision(revision: number, b: Budget): Promise<void> {
    if (this.#view.revision >= revision) return Promise.resolve();
    if (this.#stopped) return Promise.reject(unavailable('The coordinator is closing.'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
          reject(unavailable(`Committed to etcd at revision ${revision}, but this node's view (revision ${this.#view.revision}) did not catch up within ${b.timeoutMs} ms.`));
        },
        Math.max(0, b.deadline - Date.now()),
      );
      this.#waiters.push({ revision, resolve, reject, timer });
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(unavailable('The coordinator is closing.'));
    }
    const watcher = this.#watcher;
    this.#watcher = undefined;
    if (watcher !== undefined) await cancelQuietly(watcher);
  }

  /** Reads the whole prefix in pages, all at the revision of the first page (manifests make it large). */
  async #load(b: Budget): Promise<void> {
    const end = Range.prefix(this.#prefix).end;
    const kvs: ViewKv[] = [];
    let revision: string | undefined;
    let start: string | Buffer = this.#prefix;
    for (;;) {
      const at = revision;
      const from = start;
      const res = await this.#calls.run('load', b, (deadline) => {
        const range = this.#client.getAll().inRange({ start: from, end }).limit(LOAD_PAGE_KEYS);
        return (at === undefined ? range : range.revision(at)).options({ deadline }).exec();
      });
      revision ??= res.header.revision;
      for (const kv of res.kvs) kvs.push(toViewKv(kv));
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || last === undefined) break;
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
    this.#applied(this.#view.reset(kvs, Number(revision)));
  }

  #createWatcher(): Watcher {
    const watcher = this.#client.watch().prefix(this.#prefix).startRevision(String(this.#view.revision + 1)).watcher();
    watcher.on('connecting', () => {
      (watcher.request as { start_revision?: number | string }).start_revision = String(this.#view.revision + 1);
    });
    watcher.on('connected', () => {
      if (this.#disconnectedSince !== undefined) {
        this.#log.info({ downMs: Date.now() - this.#disconnectedSince, revision: this.#view.revision }, 'etcd watch resumed');
        this.#disconnectedSince = undefined;
      }
    });
    watcher.on('disconnected', (error: Error) => {
      if (this.#disconnectedSince !== undefined || this.#stopped) return;
      this.#disconnectedSince = Date.now();
      this.#log.warn({ err: error.message, revision: this.#view.revision }, 'etcd watch disconnected; reads serve the last applied revision until it resumes');
    });
    watcher.on('data', (res: IWatchResponse) => this.#onData(res));
    // Cancelled by etcd (e.g. our revision was compacted): reload everything.
    watcher.on('error', (error: Error) => {
      if (watcher !== this.#watcher || this.#stopped) return;
      this.#log.warn({ err: error.message, revision: this.#view.revision }, 'etcd watch cancelled; reloading the cluster prefix');
      void this.#resync(watcher);
    });
    return watcher;
  }

  #onData(res: IWatchResponse): void {
    try {
      let group: ViewChange[] = [];
      let groupRevision = -1;
      for (const event of res.events) {
        const revision = Number(event.kv.mod_revision);
        if (revision <= this.#view.revision) continue;
        if (revision !== groupRevision && group.length > 0) {
          this.#applyRevision(group, groupRevision);
          group = [];
        }
        groupRevision = revision;
        group.push({ type: event.type === 'Put' ? 'put' : 'delete', kv: toViewKv(event.kv) });
      }
      if (group.length > 0) this.#applyRevision(group, groupRevision);
    } catch (error) {
      // Never throw into etcd3's stream handler (it would rethrow and crash the process).
      this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'Failed to apply an etcd watch response');
    }
  }

  #applyRevision(changes: readonly ViewChange[], revision: number): void {
    this.#applied(this.#view.apply(changes, revision));
  }

  #applied(events: readonly CoordinatorEvent[]): void {
    this.#emit(events);
    const revision = this.#view.revision;
    const ready = this.#waiters.filter((w) => w.revision <= revision);
    if (ready.length > 0) {
      this.#waiters = this.#waiters.filter((w) => w.revision > revision);
      for (const w of ready) {
        clearTimeout(w.timer);
        w.resolve();
      }
    }
    this.#afterApply();
  }

  async #resync(old: Watcher): Promise<void> {
    if (this.#resyncing) return;
    this.#resyncing = true;
    this.#watcher = undefined;
    await cancelQuietly(old);
    for (let delay = 200; !this.#stopped; delay = Math.min(2000, delay * 2)) {
      try {
        await this.#load(budget(5000));
        if (!this.#stopped) this.#watcher = this.#createWatcher();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.#resyncing = false;
  }
}

export function toViewKv(kv: IKeyValue): ViewKv {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    lease: String(kv.lease ?? '0'),
  };
}

async function cancelQuietly(watcher: Watcher): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)));
  await Promise.race([watcher.cancel().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
