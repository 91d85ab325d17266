export class Emitter {
  #handlers = new Map();

  on(type, handler) {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler);
    this.#handlers.set(type, list);
    return () => this.off(type, handler);
  }

  off(type, handler) {
    const list = this.#handlers.get(type) ?? [];
    this.#handlers.set(type, list.filter((h) => h !== handler));
  }

  emit(type, ...args) {
    for (const handler of this.#handlers.get(type) ?? []) {
      handler(...args);
    }
    return this;
  }
}

export const bus = new Emitter();
