import { User } from "./types";
import { t } from "../i18n";

const FALLBACK = "there";

export function firstName(user: User): string {
  const name = user.profile.displayName;
  return name.trim().split(" ")[0] || FALLBACK;
}

export function greeting(user: User, hour: number): string {
  const part = hour < 12 ? t("morning") : t("afternoon");
  return `${part}, ${firstName(user)}`;
}
