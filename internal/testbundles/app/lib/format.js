// Non-ASCII text on purpose: source map columns count UTF-16 code units, so "é" is one column,
// "🚀" is two and "名前" is two.
export const café = 'café';
export const rocket = '🚀';

export function padLabel(label, width = 12) {
  const units = label.length;
  return units >= width ? label : label + '·'.repeat(width - units);
}

export function formatGreeting(user) {
  const { 名前 = 'ゲスト', emoji = rocket } = user ?? {};
  return `${emoji} こんにちは, ${名前}! Fancy a ${café}?`;
}

export const formatList = (items, { conjunction = 'and' } = {}) =>
  items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;

export function formatDuration(ms) {
  const seconds = Math.floor(ms / 1000);
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  return parts
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ') || '0s';
}
