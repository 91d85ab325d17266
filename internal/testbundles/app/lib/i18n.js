// Shared by the dashboard and settings chunks, so bundlers must decide where it lives.
import messages from '../data/messages.json' with { type: 'json' };

export const locales = Object.keys(messages);

export function translate(locale, key, params = {}) {
  const table = messages[locale] ?? messages.en;
  const template = table[key] ?? messages.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}

export const t = (key, params) => translate(currentLocale(), key, params);

let active = 'en';

export function currentLocale() {
  return active;
}

export function useLocale(locale) {
  if (!locales.includes(locale)) {
    throw new RangeError(`unknown locale "${locale}"; known: ${locales.join(', ')}`);
  }
  const previous = active;
  active = locale;
  return () => {
    active = previous;
  };
}
