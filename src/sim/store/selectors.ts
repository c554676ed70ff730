/**
 * Label and field selectors as the API server parses them (k8s.io/apimachinery labels and
 * fields packages): `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`; comma = AND.
 */

import { ApiError } from "./api-error.ts";
import type { KubeObject } from "./types.ts";

export type Requirement =
  | { key: string; op: "eq" | "neq"; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "notexists" };

export type Selector = Requirement[];

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseLabelSelector(text: string | undefined | null): Selector {
  if (!text) return [];
  return splitTerms(text).map((term) => {
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
    if (m) {
      const values = (m[3] ?? "")
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      return { key: m[1] as string, op: m[2] as "in" | "notin", values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return { key: m[1] as string, op: m[2] === "!=" ? "neq" : "eq", value: m[3] ?? "" };
    m = /^!\s*(\S+)$/.exec(term);
    if (m) return { key: m[1] as string, op: "notexists" };
    if (/^[A-Za-z0-9./_-]+$/.test(term)) return { key: term, op: "exists" };
    throw ApiError.badRequest(`unable to parse requirement: invalid label selector "${text}"`);
  });
}

export function parseFieldSelector(text: string | undefined | null): Selector {
  if (!text) return [];
  return splitTerms(text).map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw ApiError.badRequest(`invalid field selector: "${text}"`);
    return { key: (m[1] as string).trim(), op: m[2] === "!=" ? "neq" : "eq", value: m[3] ?? "" };
  });
}

export function matchesLabels(sel: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => matchRequirement(r, l[r.key]));
}

function matchRequirement(r: Requirement, v: string | undefined): boolean {
  switch (r.op) {
    case "eq":
      return v === r.value;
    case "neq":
      return v !== r.value;
    case "in":
      return v !== undefined && r.values.includes(v);
    case "notin":
      return v === undefined || !r.values.includes(v);
    case "exists":
      return v !== undefined;
    case "notexists":
      return v === undefined;
  }
}

/** Reads a dotted field path; a missing field reads as "" as the API server's field sets do. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return "";
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return "";
  return String(cur);
}

export function matchesFields(sel: Selector, obj: KubeObject): boolean {
  return sel.every((r) => {
    const v = fieldValue(obj, r.key);
    return r.op === "neq"
      ? v !== (r as { value: string }).value
      : v === (r as { value: string }).value;
  });
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as used in workload specs. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function fromLabelSelectorSpec(spec: LabelSelectorSpec | undefined): Selector {
  if (!spec) return [];
  const out: Selector = [];
  for (const [key, value] of Object.entries(spec.matchLabels ?? {}))
    out.push({ key, op: "eq", value });
  for (const e of spec.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === "in" || op === "notin") out.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === "exists") out.push({ key: e.key, op: "exists" });
    else if (op === "doesnotexist") out.push({ key: e.key, op: "notexists" });
  }
  return out;
}

/** The selector spec as a query string, e.g. for `kubectl describe` lookups. */
export function formatSelector(spec: LabelSelectorSpec | undefined): string {
  return Object.entries(spec?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
