import { bus } from './events.js';
import { ValidationError } from './errors.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Store {
  constructor(initial = {}) {
    this.state = { ...initial };
    this.version = 0;
  }

  async update(patch) {
    await sleep(1);
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) {
        throw new ValidationError(key, value, 'undefined is not storable');
      }
    }
    this.state = { ...this.state, ...patch };
    this.version += 1;
    bus.emit('store:changed', this.state, this.version);
    return this.state;
  }

  *entries() {
    yield* Object.entries(this.state).sort(([a], [b]) => a.localeCompare(b));
  }
}

export async function loadPreferences(fetcher = async () => ({ theme: 'dark', locale: 'fr' })) {
  const prefs = await fetcher();
  return new Store(prefs);
}
