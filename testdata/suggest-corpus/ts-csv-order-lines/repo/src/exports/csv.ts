import { Order, OrderLine } from "../orders/types";
import { formatMoney } from "../money";

const HEADER = ["order", "sku", "quantity", "price"];

function escape(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function row(order: Order, line: OrderLine): string {
  return [order.number, line.sku, String(line.quantity), formatMoney(line.price)].map(escape).join(",");
}

export function toCsv(orders: Order[]): string {
  const rows = [HEADER.join(",")];
  for (const order of orders) {
    rows.push(...linesOf(order));
  }
  return rows.join("\n");
}

function linesOf(order: Order): string[] {
  const out: string[] = [];
  for (const line of order.lines) {
    out.push(row(order, line));
  }
  return out;
}
