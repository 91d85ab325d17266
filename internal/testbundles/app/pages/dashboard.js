import { formatGreeting, formatList, padLabel } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { Money, sum } from '../lib/money.js';

export async function render({ user }) {
  const basket = ['€4.50', '€12,99', '€0.75'].map((price) => Money.parse(price));
  const rows = basket.map((m, i) => `${padLabel(`item ${i + 1}`)}${m}`);
  return [
    t('welcome', { name: user.名前 }),
    formatGreeting(user),
    ...rows,
    `${padLabel('total')}${sum(basket)}`,
    `tags: ${formatList(['naïve', 'jalapeño', '寿司'])}`,
  ].join('\n');
}
