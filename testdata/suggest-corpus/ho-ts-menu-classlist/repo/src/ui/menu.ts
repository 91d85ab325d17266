const OPEN = "open";

export function openMenu(id: string): void {
  const element = document.getElementById(id);
  element.classList.add(OPEN);
  document.body.dataset.menu = id;
}

export function closeMenu(id: string): void {
  document.getElementById(id)?.classList.remove(OPEN);
  delete document.body.dataset.menu;
}
