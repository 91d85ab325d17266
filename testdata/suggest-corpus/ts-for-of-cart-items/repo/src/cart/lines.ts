import { Cart, CartItem } from "./types";
import { priceOf } from "./pricing";

export interface Line {
  sku: string;
  amount: number;
}

export function lines(cart: Cart): Line[] {
  const out: Line[] = [];
  for (const item of cart.items) {
    out.push({ sku: item.sku, amount: priceOf(item) * item.qty });
  }
  return out;
}

export function weight(items: CartItem[]): number {
  return items.reduce((sum, i) => sum + i.weight * i.qty, 0);
}
