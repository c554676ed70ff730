/**
 * Shared pieces of the server-side Table printers, mirroring kubernetes
 * pkg/printers/internalversion/printers.go and apimachinery's duration.HumanDuration.
 */
import type { KubeObject } from "../../store/types.ts";

export interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description?: string;
}

export type Cell = string | number | boolean;

export interface Printer {
  columns: Column[];
  row: (obj: KubeObject, now: number) => Cell[];
}

export function col(name: string, priority = 0, type = "string"): Column {
  return name === "Name"
    ? {
        name,
        type,
        format: "name",
        priority,
        description: "Name must be unique within a namespace.",
      }
    : { name, type, format: "", priority, description: "" };
}

/** duration.HumanDuration: the AGE format kubectl shows. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** translateTimestampSince: "<unknown>" for a zero time. */
export function since(ts: string | undefined | null, now: number): string {
  if (!ts) return "<unknown>";
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return "<unknown>";
  return humanDuration(now - t);
}

export function age(obj: KubeObject, now: number): string {
  return since(obj.metadata.creationTimestamp, now);
}

/** labels.SelectorFromSet(...).String(): sorted key=value pairs. */
export function labelsString(m: Record<string, string> | undefined | null): string {
  const entries = Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([k, v]) => `${k}=${v}`).join(",");
}

/** metav1.LabelSelectorAsSelector(...).String(), with "<none>" for an empty selector. */
export function selectorString(sel: unknown): string {
  if (!sel || typeof sel !== "object") return "<none>";
  const s = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  };
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${vals})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  parts.sort();
  return parts.length ? parts.join(",") : "<none>";
}

// biome-ignore lint/suspicious/noExplicitAny: pod templates are open JSON.
export function containersAndImages(template: any): [string, string] {
  const cs: Array<{ name?: string; image?: string }> = template?.spec?.containers ?? [];
  return [cs.map((c) => c.name ?? "").join(","), cs.map((c) => c.image ?? "").join(",")];
}

export function orNone(s: string | undefined | null): string {
  return s ? s : "<none>";
}
