import { PriceQuote } from "./types";
import { audit } from "../audit";

export interface QuoteChange {
  sku: string;
  changed: boolean;
  delta: number;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

// Compares the quote shown to the customer with the one computed at checkout.
export function compareQuotes(sku: string, before: PriceQuote, after: PriceQuote): QuoteChange {
  const changed = before.total !== after.total;
  if (changed) {
    audit("quote_changed", { sku });
  }
  return { sku, changed, delta: changed ? round((after?.total ?? 0) - before.total) : 0 };
}

export function anyChanged(changes: QuoteChange[]): boolean {
  return changes.some((c) => c.changed);
}

export function totalDelta(changes: QuoteChange[]): number {
  return round(changes.reduce((sum, c) => sum + c.delta, 0));
}
