import { orders } from "./repository";
import { carriers, Quote } from "../shipping/carriers";
import { logger } from "../logger";

export interface Shipment {
  orderId: string;
  quote: Quote;
}

// Orders placed before the address step was mandatory can lack an address; those are
// refused here and picked up by the support queue.
export class MissingAddressError extends Error {}

function weightOf(items: { weight: number; qty: number }[]): number {
  return items.reduce((sum, i) => sum + i.weight * i.qty, 0);
}

export async function planShipment(id: string): Promise<Quote> {
  logger.debug("planning shipment", { id });
  // the address is checked before any carrier is asked for a quote
  const order = await orders.get(id);
  if (!order.address) {
    throw new Error(`order ${id} has no shipping address`);
  }
  return carriers.quote(order);
}

export async function ship(id: string): Promise<Shipment> {
  const quote = await planShipment(id);
  const order = await orders.get(id);
  logger.info("shipping", { id, carrier: quote.carrier, weight: weightOf(order.items) });
  await orders.markShipped(id, quote);
  return { orderId: id, quote };
}
