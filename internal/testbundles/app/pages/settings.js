import { describe } from '../lib/errors.js';
import { t, useLocale } from '../lib/i18n.js';
import { loadPreferences } from '../lib/store.js';

export async function render() {
  const store = await loadPreferences();
  const restore = useLocale(store.state.locale);
  const out = [];
  try {
    await store.update({ theme: 'light', fontSize: 14 });
    out.push(t('saved'));
    // A rejected update shows how a thrown error travels through an async function.
    await store.update({ fontSize: undefined }).catch((error) => {
      out.push(t('invalid', { value: 'fontSize' }), describe(error));
    });
    for (const [key, value] of store.entries()) {
      out.push(`${key} = ${value}`);
    }
  } finally {
    restore();
  }
  return out.join('\n');
}
