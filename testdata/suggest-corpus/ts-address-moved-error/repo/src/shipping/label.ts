import { Order } from "./types";

export function shippingLabel(order: Order): string {
  const address = order.shipping.address;
  const city = address.city.trim();
  return [order.customerName, address.street, `${address.zip} ${city}`].join("\n");
}

export function isDomestic(order: Order, country: string): boolean {
  return order.shipping.address.country === country;
}

export function labels(orders: Order[]): string[] {
  return orders.map(shippingLabel);
}
