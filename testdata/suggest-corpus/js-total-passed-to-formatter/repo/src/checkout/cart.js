import { formatPrice } from "../ui/format.js";

export function renderTotal(cart) {
  return formatPrice(cart.total);
}

export function itemCount(cart) {
  return cart?.items.length ?? 0;
}
