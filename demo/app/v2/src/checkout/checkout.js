import { itemCount, renderTotal } from "./cart.js";

export function mountCheckout(root, cart) {
  const el = document.createElement("section");
  el.className = "checkout";
  el.textContent = `${itemCount(cart)} items, total ${renderTotal(cart)}`;
  root.append(el);
}
