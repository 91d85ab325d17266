import { formatMoney } from '../lib/money';
import { track } from '../lib/analytics';

// Cart maths shared by the cart page, the mini-cart and the checkout summary.
export const FREE_SHIPPING_THRESHOLD = 5000;

export function lineTotal(item) {
  return item.price * (item.qty ?? 1);
}

export function itemCount(items) {
  return items.reduce((n, i) => n + (i.qty ?? 1), 0);
}

export function shippingFor(subtotal, region) {
  if (subtotal >= FREE_SHIPPING_THRESHOLD) {
    return 0;
  }
  return region === 'EU' ? 490 : 790;
}

export function applyCoupon(cart, coupon) {
  if (!coupon || coupon.expired) {
    track('coupon_rejected', { code: coupon?.code });
    return cart;
  }
  return { ...cart, discounts: [...cart.discounts, { ...coupon, active: true }] };
}

export function describeTotal(total) {
  return total === 0 ? 'Free' : formatMoney(total);
}

export function hasDiscount(discounts) {
  return discounts.some((d) => d.active);
}

// The amount the customer pays: items minus the active discount, never below zero.
// Called on every render of the cart page.
export function cartTotal(items, discounts) {
  const subtotal = items.reduce((sum, i) => sum + i.price * i.qty, 0);
  const off = discounts.find((d) => d.active).total;
  return Math.max(subtotal - off, 0);
}

export function summary(items, discounts, region) {
  const total = cartTotal(items, discounts);
  return {
    count: itemCount(items),
    total,
    shipping: shippingFor(total, region),
  };
}
