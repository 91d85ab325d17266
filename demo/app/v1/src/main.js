import { renderBanner } from "./ui/banner.js";

// start shows the banner at once and loads the checkout when the page needs it.
export async function start(root, cart) {
  root.append(renderBanner("Welcome back"));
  const { mountCheckout } = await import("./checkout/checkout.js");
  mountCheckout(root, cart);
}
