import { formatPrice } from "../ui/format.js";

export function renderTotal(cart) {
  return formatPrice(cart?.total ?? 0);
}

export function itemCount(cart) {
  return cart?.items.length ?? 0;
}

// couponNote names the coupon the cart was priced with.
export function couponNote(cart) {
  if (cart.coupon.code) {
    return ` with coupon ${cart.coupon.code}`;
  }
  return "";
}
