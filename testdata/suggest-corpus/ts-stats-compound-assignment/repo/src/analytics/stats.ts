import { Event } from "./events";

export interface DayStats {
  count: number;
  revenue: number;
}

export type Stats = Record<string, DayStats>;

function dayOf(e: Event): string {
  return new Date(e.at).toISOString().slice(0, 10);
}

export function collect(events: Event[]): Stats {
  const stats: Stats = {};
  for (const e of events) {
    const day = dayOf(e);
    const entry = stats[day];
    entry.count += 1;
    stats[day] = { ...entry, revenue: (entry?.revenue ?? 0) + e.amount };
  }
  return stats;
}

export function busiest(stats: Stats): string | undefined {
  let best: string | undefined;
  for (const [day, s] of Object.entries(stats)) {
    if (!best || s.count > stats[best].count) {
      best = day;
    }
  }
  return best;
}
