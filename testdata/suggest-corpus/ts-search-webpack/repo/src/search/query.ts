import { SearchHit, Facet, FacetBucket, Query } from "./types";
import { tokenize } from "./tokenize";
import { synonyms } from "./synonyms";

// Query building and facet counting for the search page. Everything here is pure: the page
// sends the query, the API answers with hits, and the facets are computed client-side.

export const MAX_TERMS = 12;
export const DEFAULT_PAGE_SIZE = 24;

export interface ParsedQuery {
  terms: string[];
  filters: Record<string, string[]>;
  page: number;
}

export function parse(raw: string): ParsedQuery {
  const filters: Record<string, string[]> = {};
  const terms: string[] = [];
  for (const token of tokenize(raw).slice(0, MAX_TERMS)) {
    const [key, value] = token.split(":");
    if (value) {
      (filters[key] ??= []).push(value);
    } else {
      terms.push(...(synonyms[key] ?? [key]));
    }
  }
  return { terms, filters, page: 1 };
}

export function toQuery(p: ParsedQuery, pageSize = DEFAULT_PAGE_SIZE): Query {
  return {
    q: p.terms.join(" "),
    filters: Object.entries(p.filters).map(([k, v]) => ({ field: k, anyOf: v })),
    from: (p.page - 1) * pageSize,
    size: pageSize,
  };
}

export function pageCount(total: number, pageSize = DEFAULT_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export function clampPage(page: number, total: number): number {
  return Math.min(Math.max(page, 1), pageCount(total));
}

export function dedupe(hits: SearchHit[]): SearchHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    if (seen.has(h.id)) {
      return false;
    }
    seen.add(h.id);
    return true;
  });
}

export function rank(hits: SearchHit[]): SearchHit[] {
  return [...hits].sort((a, b) => b.score - a.score || a.price - b.price);
}

export function highlight(text: string, terms: string[]): string {
  return terms.reduce((t, term) => t.split(term).join(`<mark>${term}</mark>`), text);
}

export function summary(p: ParsedQuery, total: number): string {
  const filters = Object.keys(p.filters).length;
  const what = p.terms.length > 0 ? `"${p.terms.join(" ")}"` : "everything";
  return `${total} results for ${what}` + (filters > 0 ? ` with ${filters} filters` : "");
}

export function isEmpty(p: ParsedQuery): boolean {
  return p.terms.length === 0 && Object.keys(p.filters).length === 0;
}

export function withFilter(p: ParsedQuery, field: string, value: string): ParsedQuery {
  const current = p.filters[field] ?? [];
  if (current.includes(value)) {
    return p;
  }
  return { ...p, filters: { ...p.filters, [field]: [...current, value] }, page: 1 };
}

export function withoutFilter(p: ParsedQuery, field: string, value: string): ParsedQuery {
  const rest = (p.filters[field] ?? []).filter((v) => v !== value);
  const filters = { ...p.filters, [field]: rest };
  if (rest.length === 0) {
    delete filters[field];
  }
  return { ...p, filters, page: 1 };
}

export function bucketOf(hit: SearchHit, step: number): number {
  return Math.floor(hit.price / step);
}

export function toBuckets(counts: number[], step: number): FacetBucket[] {
  return counts.map((count, i) => ({ from: i * step, to: (i + 1) * step, count }));
}

export function brandFacet(hits: SearchHit[]): Facet {
  const counts = new Map<string, number>();
  for (const hit of hits) {
    counts.set(hit.brand, (counts.get(hit.brand) ?? 0) + 1);
  }
  return {
    field: "brand",
    buckets: [...counts.entries()].map(([key, count]) => ({ key, count })),
  };
}

export function colorFacet(hits: SearchHit[]): Facet {
  const counts = new Map<string, number>();
  for (const hit of hits) {
    for (const color of hit.colors) {
      counts.set(color, (counts.get(color) ?? 0) + 1);
    }
  }
  return {
    field: "color",
    buckets: [...counts.entries()].map(([key, count]) => ({ key, count })),
  };
}

export function buildFacets(hits: SearchHit[], step: number): Facet {
  const prices = hits.map((h) => h.price);
  const range = Math.max(...prices) - Math.min(...prices);
  const buckets = Math.ceil(range / step);
  // one slot per bucket, filled below
  const counts = new Array(buckets).fill(0);
  for (const hit of hits) {
    counts[bucketOf(hit, step)]++;
  }
  return { field: "price", buckets: toBuckets(counts, step) };
}
