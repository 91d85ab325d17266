import { User } from "../account/types";

const DARK = "theme-dark";

export function applyTheme(user: User, root: HTMLElement): void {
  root.classList.remove(DARK);
  if (user.settings.darkMode) {
    root.classList.add(DARK);
  }
}
