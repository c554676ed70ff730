/**
 * Context discipline for tool outputs: every answer fits a byte/item budget, says when it was
 * cut (`truncated: true`) and how to get the rest (a continue token), and projects objects down
 * to the fields asked for. Peers' users complain of 10k-token log dumps and ENOBUFS; a model
 * can always ask for the next page, it cannot un-read a flood.
 */
import { OpsloopError } from "../core/errors.ts";

/** Default byte budget of one tool answer (about 8k tokens of JSON). */
export const DEFAULT_MAX_BYTES = 32_768;

export function byteSize(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v) ?? "", "utf8");
}

/** The longest prefix of `items` within both budgets (at least one item, so progress is made). */
export function fitItems<T>(items: T[], maxItems: number, maxBytes: number): T[] {
  const out: T[] = [];
  let bytes = 2;
  for (const it of items) {
    if (out.length >= maxItems) break;
    const size = byteSize(it) + 1;
    if (out.length > 0 && bytes + size > maxBytes) break;
    out.push(it);
    bytes += size;
  }
  return out;
}

/** Keeps the newest lines (the end) within `maxBytes`, as `kubectl logs --limit-bytes` would from the tail. */
export function fitTail(
  lines: string[],
  maxBytes: number,
): { lines: string[]; truncated: boolean } {
  const out: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    const size = Buffer.byteLength(line, "utf8") + 1;
    if (bytes + size > maxBytes) {
      if (out.length === 0) out.push(`${line.slice(0, Math.max(0, maxBytes - 20))}…[line cut]`);
      return { lines: out.reverse(), truncated: true };
    }
    out.push(line);
    bytes += size;
  }
  return { lines: out.reverse(), truncated: false };
}

/**
 * One page of a list held in memory (incidents, findings): up to `limit` items from where the
 * continue token points, cut to the byte budget less room for the answer's other fields. Items
 * added between calls shift later pages; a model asking for the next page tolerates that.
 */
export function pageOf<T, U = T>(
  all: T[],
  page: { limit: number; continue?: string },
  /** Applied only to the candidates of this page (e.g. cutting each item to the budget). */
  shape: (item: T) => U = (item) => item as unknown as U,
  maxBytes = DEFAULT_MAX_BYTES - ENVELOPE_BYTES,
): { items: U[]; total: number; truncated: boolean; continue?: string } {
  const offset = page.continue ? decodeCursor(page.continue).offset : 0;
  const candidates = all.slice(offset, offset + page.limit).map(shape);
  const items = fitItems(candidates, page.limit, maxBytes);
  const next = offset + items.length;
  if (next >= all.length) return { items, total: all.length, truncated: false };
  return {
    items,
    total: all.length,
    truncated: true,
    continue: encodeCursor({ limit: page.limit, offset: next }),
  };
}

/** Room kept for an answer's fields beside its list (counts, tokens, verification). */
export const ENVELOPE_BYTES = 1024;

/**
 * Our continue token: the API server's token for the page we fetched, the page size, and how
 * many of its items were already returned (a byte budget can cut inside a server page).
 */
export interface PageCursor {
  serverContinue?: string;
  limit: number;
  offset: number;
}

export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.serverContinue ?? "", c.limit, c.offset])).toString(
    "base64url",
  );
}

export function decodeCursor(token: string): PageCursor {
  try {
    const [serverContinue, limit, offset] = JSON.parse(Buffer.from(token, "base64url").toString());
    if (typeof serverContinue !== "string" || !Number.isInteger(limit) || !Number.isInteger(offset))
      throw new Error("shape");
    return { serverContinue: serverContinue || undefined, limit, offset };
  } catch {
    throw new OpsloopError("invalid_input", "continue token is not one this server returned");
  }
}

/**
 * Reads a field by a JSONPath-like expression: `metadata.name`, `spec.containers[0].image`,
 * `spec.containers[*].image`, `metadata.labels["app.kubernetes.io/name"]`. Missing → undefined.
 */
export function pickPath(obj: unknown, path: string): unknown {
  let current: unknown[] = [obj];
  let wildcard = false;
  for (const seg of parsePath(path)) {
    const next: unknown[] = [];
    for (const c of current) {
      if (seg === "*") {
        wildcard = true;
        if (Array.isArray(c)) next.push(...c);
        else if (c && typeof c === "object") next.push(...Object.values(c));
      } else if (c && typeof c === "object") {
        const v = (c as Record<string, unknown>)[seg];
        if (v !== undefined) next.push(v);
      }
    }
    current = next;
  }
  return wildcard ? current : current[0];
}

function parsePath(path: string): string[] {
  const segs: string[] = [];
  const re = /\[\s*"([^"]*)"\s*\]|\[\s*'([^']*)'\s*\]|\[\s*(\*|\d+)\s*\]|\.?([^.[\]]+)/g;
  const trimmed = path.replace(/^\$?\.?/, "");
  for (const m of trimmed.matchAll(re)) {
    const seg = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (seg !== undefined) segs.push(seg);
  }
  if (segs.length === 0) throw new OpsloopError("invalid_input", `empty field path "${path}"`);
  return segs;
}

/** One object projected to the asked fields, keyed by the path as written. */
export function project(obj: unknown, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, pickPath(obj, f) ?? null]));
}

/**
 * Evenly spaced samples keeping the first and last point: enough shape for a model to reason
 * about a trend without thousands of points.
 */
export function downsample<T>(points: T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return points;
  if (maxPoints <= 1) return points.slice(-1);
  const out: T[] = [];
  const stride = (points.length - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) {
    const p = points[Math.round(i * stride)];
    if (p !== undefined) out.push(p);
  }
  return out;
}
