export function renderBanner(text) {
  const el = document.createElement("p");
  el.className = "banner";
  el.textContent = text;
  return el;
}
