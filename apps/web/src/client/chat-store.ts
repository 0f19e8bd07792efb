// A tiny external store for React (useSyncExternalStore) over chat-state.ts.
import { emptyState, type TChatState } from "./chat-state";

export class ChatStore {
  #state: TChatState;
  readonly #listeners = new Set<() => void>();

  constructor(me: string) {
    this.#state = emptyState(me);
  }

  get = (): TChatState => this.#state;

  update(fn: (s: TChatState) => TChatState): void {
    const next = fn(this.#state);
    if (next === this.#state) return;
    this.#state = next;
    for (const l of this.#listeners) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
}
