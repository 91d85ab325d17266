import { Item, renderRow } from "./rows";

export function renderRows(table: HTMLTableElement, items?: Item[]): void {
  table.innerHTML = "";
  items.forEach((item) => table.appendChild(renderRow(item)));
}
