import { Cart } from "./types";
import { taxRate } from "./tax";

export interface Totals {
  net: number;
  tax: number;
  gross: number;
}

export function totals(cart: Cart | undefined, region: string): Totals {
  const net = cart?.total ?? 0;
  const tax = Math.round(net * taxRate(region));
  return { net, tax, gross: net + tax };
}

export function isEmpty(cart: Cart | undefined): boolean {
  return !cart || cart.items.length === 0;
}

export function badge(cart: Cart | undefined): string {
  const count = cart?.items.length ?? 0;
  return count > 99 ? "99+" : String(count);
}
