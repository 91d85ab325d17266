import { couponNote, itemCount, renderTotal } from "./cart.js";

export function mountCheckout(root, cart) {
  const el = document.createElement("section");
  el.className = "checkout";
  el.textContent = `${itemCount(cart)} items, total ${renderTotal(cart)}${couponNote(cart)}`;
  root.append(el);
}
