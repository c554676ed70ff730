/**
 * Helpers shared by the controller-manager models: owner references, pod readiness and
 * availability (k8s.io/kubernetes/pkg/api/v1/pod), label selectors, IntOrString percentages.
 */
import type { SimContext } from "../engine.ts";
import type { KubeObject, OwnerReference } from "../store/types.ts";

/** A Service's `spec.selector` map: nil or empty selects nothing (Endpoints are not managed). */
export function mapSelects(
  sel: Record<string, string> | undefined,
  labels?: Record<string, string>,
) {
  if (!sel || Object.keys(sel).length === 0) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

export function controllerRef(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

export function isControlledBy(o: KubeObject, owner: KubeObject): boolean {
  return controllerRef(o)?.uid === owner.metadata.uid;
}

export function ownerRefTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name as string,
    uid: owner.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function ownedBy(ctx: SimContext, resource: string, owner: KubeObject): KubeObject[] {
  return ctx.store
    .list(resource, { namespace: owner.metadata.namespace })
    .filter((o) => isControlledBy(o, owner));
}

/** Kubernetes objects and statuses are open-ended JSON documents. */
// biome-ignore lint/suspicious/noExplicitAny: see above.
export type Json = any;

type Condition = { type: string; status: string; [k: string]: Json };

export function condition(o: KubeObject, type: string): Condition | undefined {
  return (o.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

export function isPodReady(pod: KubeObject): boolean {
  return condition(pod, "Ready")?.status === "True";
}

/** podutil.IsPodAvailable: ready for at least minReadySeconds. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const c = condition(pod, "Ready");
  if (c?.status !== "True") return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(c.lastTransitionTime ?? "");
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean) {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** Sets a condition, keeping lastTransitionTime when its status does not change. */
export function setCondition(conds: Condition[] | undefined, next: Condition, nowIso: string) {
  const list = conds ?? [];
  const old = list.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : nowIso;
  const c = { ...next, lastTransitionTime };
  return old ? list.map((x) => (x.type === next.type ? c : x)) : [...list, c];
}

/**
 * Drops nulls and empty objects/arrays: Go clients (kubectl rollout undo) send a decoded and
 * re-encoded template (`creationTimestamp: null`, `resources: {}`) that is equal as a Go struct.
 */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(canonical).filter((x) => x !== undefined);
    return out.length ? out : undefined;
  }
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const c = canonical(x);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

/** Stable JSON (sorted keys) for template comparison and hashing. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * controller.ComputeHash: fnv32a of the template (+ collisionCount), rendered with
 * rand.SafeEncodeString (digits mapped onto a vowel-free alphabet so names never spell words).
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const text = stableJson(canonical(template)) + (collisionCount ? String(collisionCount) : "");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  return [...String(h)].map((d) => alphabet[d.charCodeAt(0) % alphabet.length]).join("");
}

/** Writes the status only when it changed, so idle ticks do not bump resourceVersions. */
export function writeStatus(ctx: SimContext, resource: string, o: KubeObject, status: Json): void {
  if (stableJson(o.status ?? {}) === stableJson(status)) return;
  ctx.store.mutate(resource, o.metadata.namespace, o.metadata.name as string, (d) => {
    d.status = status;
  });
}

export function replicasOf(o: KubeObject): number {
  return o.spec?.replicas ?? 1;
}

/**
 * Skips work when nothing a controller reads has changed since its last pass: stored objects
 * are replaced (never mutated) on every write, so their resourceVersions fingerprint the input.
 */
export class ChangeGate {
  private readonly seen = new Map<string, string>();

  /** True when `objects` differ from the last call for `key` (and records them). */
  changed(key: string, objects: Array<KubeObject | undefined>, extra = ""): boolean {
    const print = objects.map((o) => o?.metadata.resourceVersion ?? "-").join(",") + extra;
    if (this.seen.get(key) === print) return false;
    this.seen.set(key, print);
    return true;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }
}
