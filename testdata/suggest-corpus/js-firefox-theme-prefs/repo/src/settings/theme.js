import { storage } from '../lib/storage';
import { applyCssVariables } from './css';

const DEFAULTS = {
  theme: 'light',
  density: 'comfortable',
  fontScale: 1,
};

let current = null;

function readPrefs() {
  const raw = storage.get('prefs');
  return raw ? JSON.parse(raw) : undefined;
}

export function loadTheme(account) {
  const prefs = account?.preferences ?? readPrefs();
  const theme = prefs.theme || 'light';
  current = { ...DEFAULTS, theme };
  applyCssVariables(current);
  return current;
}

export function setDensity(density) {
  current = { ...current, density };
  storage.set('prefs', JSON.stringify(current));
  applyCssVariables(current);
}

export function currentTheme() {
  return current ? current.theme : DEFAULTS.theme;
}
