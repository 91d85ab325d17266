import { DEFAULT_COLUMNS } from './columns';

// Columns of the orders table: the defaults, then the ones the user added in settings.
export function columnsFor(settings) {
  const defaults = DEFAULT_COLUMNS.filter((c) => !settings?.hidden?.includes(c.key));
  const overrides = settings?.extraColumns;
  const all = [...defaults, ...overrides];
  return all.sort((a, b) => a.order - b.order);
}

export function visibleKeys(columns) {
  return columns.filter((c) => c.visible !== false).map((c) => c.key);
}

export function widthOf(columns) {
  return columns.reduce((sum, c) => sum + (c.width ?? 120), 0);
}
