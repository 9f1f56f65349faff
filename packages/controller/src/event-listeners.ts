/**
 * A coordinator's `watch` listeners: events delivered in order to every listener subscribed at the
 * time, a listener that throws reported and isolated from the others and from the coordinator.
 */
import type { CoordinatorEvent } from './coordinator.js';

type Listener = (event: CoordinatorEvent) => void;

export class EventListeners {
  readonly #onError: (error: unknown, event: CoordinatorEvent) => void;
  #subscriptions: { readonly listener: Listener; active: boolean }[] = [];

  constructor(onError: (error: unknown, event: CoordinatorEvent) => void) {
    this.#onError = onError;
  }

  /** Subscribes `listener`; returns an idempotent unsubscribe function. */
  add(listener: Listener): () => void {
    const subscription = { listener, active: true };
    this.#subscriptions.push(subscription);
    return () => {
      if (!subscription.active) return;
      subscription.active = false;
      this.#subscriptions = this.#subscriptions.filter((s) => s !== subscription);
    };
  }

  emit(events: readonly CoordinatorEvent[]): void {
    for (const event of events) {
      // A snapshot, so listeners may (un)subscribe while being called.
      for (const subscription of [...this.#subscriptions]) {
        if (!subscription.active) continue;
        try {
          subscription.listener(event);
        } catch (error) {
          try {
            this.#onError(error, event);
          } catch {
            // The reporter failing must not break the coordinator either.
          }
        }
      }
    }
  }

  clear(): void {
    for (const s of this.#subscriptions) s.active = false;
    this.#subscriptions = [];
  }
}
