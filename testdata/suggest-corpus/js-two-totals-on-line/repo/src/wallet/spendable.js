import { formatMoney } from '../lib/money';
import { fetchBalance } from '../api/wallet';

// Shows what the customer can spend: the primary wallet plus the linked gift-card wallet.
export async function spendable(customerId) {
  const [primary, secondary] = await Promise.all([
    fetchBalance(customerId, 'primary'),
    fetchBalance(customerId, 'gift'),
  ]);
  const combined = primary.total + secondary.total;
  return {
    combined,
    label: formatMoney(combined),
    hasGift: Boolean(secondary),
  };
}

export function describe(balance) {
  return balance ? formatMoney(balance.total) : 'No balance';
}

export function isLow(balance, threshold = 500) {
  return balance.total < threshold;
}
