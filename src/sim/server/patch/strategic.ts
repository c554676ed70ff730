/**
 * Strategic merge patch, the subset kubectl and client-side apply produce
 * (k8s.io/apimachinery/pkg/util/strategicpatch). Written by hand: no npm package implements it.
 * Lists named in MERGE_KEYS merge element-wise by that key (the `patchMergeKey` tags of the
 * core types); PRIMITIVE_MERGE lists union; every other list is replaced. Directives:
 * `$patch: replace|delete|merge`, `$setElementOrder/<list>`, `$retainKeys`,
 * `$deleteFromPrimitiveList/<list>`; `null` deletes a field.
 */
import { ApiError } from "../../store/api-error.ts";
import { isPlainObject } from "./merge-patch.ts";

type Obj = Record<string, unknown>;

const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  env: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  conditions: "type",
  imagePullSecrets: "name",
  ownerReferences: "uid",
  hostAliases: "ip",
  taints: "key",
  addresses: "type",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
};

const PRIMITIVE_MERGE = new Set(["finalizers"]);

const ORDER = "$setElementOrder/";
const DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";

/** containerPort for container ports, port for Service ports (both are `ports`). */
function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === "ports") {
    return items.some((i) => isPlainObject(i) && "containerPort" in i) ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

export function strategicMergePatch(original: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch))
    throw ApiError.badRequest("a strategic merge patch must be a JSON object");
  return mergeMap(isPlainObject(original) ? original : {}, patch) ?? {};
}

function mergeMap(original: Obj, patch: Obj): Obj | undefined {
  const directive = patch.$patch;
  if (directive === "delete") return undefined;
  if (directive === "replace") return stripDirectives(patch);
  if (directive !== undefined && directive !== "merge")
    throw ApiError.badRequest(`Unknown patch type: ${String(directive)}`);
  const out: Obj = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const merged = mergeValue(key, out[key], value);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_PRIMITIVE) && Array.isArray(value)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((v) => !value.includes(v));
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(ORDER) && Array.isArray(value)) {
      const field = key.slice(ORDER.length);
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = reorder(field, cur, value);
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}

function mergeValue(key: string, current: unknown, value: unknown): unknown {
  if (isPlainObject(value)) {
    return mergeMap(isPlainObject(current) ? current : {}, value);
  }
  if (Array.isArray(value)) {
    if (PRIMITIVE_MERGE.has(key)) {
      const base = Array.isArray(current) ? current : [];
      return [...base, ...value.filter((v) => !base.includes(v))];
    }
    const mk = mergeKeyFor(key, [...value, ...(Array.isArray(current) ? current : [])]);
    if (mk) return mergeList(Array.isArray(current) ? current : [], value, mk);
    return value.map((v) => (isPlainObject(v) ? stripDirectives(v) : v));
  }
  return value;
}

function mergeList(original: unknown[], patch: unknown[], mk: string): unknown[] {
  if (patch.some((p) => isPlainObject(p) && p.$patch === "replace")) {
    return patch
      .filter((p) => !(isPlainObject(p) && p.$patch === "replace"))
      .map((p) => (isPlainObject(p) ? stripDirectives(p) : p));
  }
  const out = [...original];
  for (const item of patch) {
    if (!isPlainObject(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((o) => isPlainObject(o) && o[mk] === item[mk]);
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as Obj, item);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else out.push(stripDirectives(item));
  }
  return out;
}

/** Items named in the order list come first, in that order; the rest keep their place after. */
function reorder(field: string, items: unknown[], order: unknown[]): unknown[] {
  const mk = mergeKeyFor(field, items);
  const keyOf = (v: unknown) => (mk && isPlainObject(v) ? v[mk] : v);
  const wanted = order.map(keyOf);
  const rank = (v: unknown) => {
    const i = wanted.indexOf(keyOf(v));
    return i < 0 ? wanted.length : i;
  };
  return items
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map((x) => x.v);
}

function stripDirectives(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith("$")) continue;
    out[k] = isPlainObject(v) ? stripDirectives(v) : v;
  }
  return out;
}
