/**
 * Pieces of pkg/controller/deployment/util/deployment_util.go: revisions, template equality
 * ignoring pod-template-hash, new ReplicaSet construction and the surge/unavailable fenceposts.
 */
import type { KubeObject } from "../store/types.ts";
import { canonical, computeHash, ownerRefTo, replicasOf, scaledValue, stableJson } from "./util.ts";

export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
export const HASH_LABEL = "pod-template-hash";

export function revisionOf(rs: KubeObject): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;
}

const canonicalCache = new WeakMap<object, string>();

/** Cached per template object: stored objects are frozen, so a template never changes in place. */
function withoutHash(template: KubeObject["spec"]): string {
  if (template && typeof template === "object") {
    const hit = canonicalCache.get(template);
    if (hit !== undefined) return hit;
    const text = computeWithoutHash(template);
    canonicalCache.set(template, text);
    return text;
  }
  return computeWithoutHash(template);
}

function computeWithoutHash(template: KubeObject["spec"]): string {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH_LABEL];
  return stableJson(canonical(t));
}

/** EqualIgnoreHash: what makes `kubectl rollout undo` find the old ReplicaSet again. */
export function sameTemplate(a: KubeObject["spec"], b: KubeObject["spec"]): boolean {
  return withoutHash(a) === withoutHash(b);
}

export function isRollingUpdate(d: KubeObject): boolean {
  return d.spec.strategy?.type !== "Recreate";
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down, never both zero. */
export function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  if (!isRollingUpdate(d)) return { surge: 0, unavailable: 0 };
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const replicas = replicasOf(d);
  const surge = scaledValue(ru.maxSurge ?? "25%", replicas, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? "25%", replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxUnavailable(d: KubeObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

/** NewRSNewReplicas for RollingUpdate. */
export function newRSReplicas(d: KubeObject, all: KubeObject[], newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = all.reduce((n, rs) => n + replicasOf(rs), 0);
  const maxTotal = replicasOf(d) + fenceposts(d).surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + Math.max(0, up);
}

export function buildNewReplicaSet(d: KubeObject, revision: number, replicas: number): KubeObject {
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata ??= {};
  template.metadata.labels = { ...template.metadata.labels, [HASH_LABEL]: hash };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [HASH_LABEL]: hash };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (
      !k.startsWith("deployment.kubernetes.io/") &&
      k !== "kubectl.kubernetes.io/last-applied-configuration"
    )
      annotations[k] = v;
  }
  annotations[REVISION] = String(revision);
  annotations[DESIRED_REPLICAS] = String(replicasOf(d));
  annotations[MAX_REPLICAS] = String(replicasOf(d) + fenceposts(d).surge);
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations,
      ownerReferences: [ownerRefTo(d)],
    },
    spec: {
      replicas,
      minReadySeconds: d.spec.minReadySeconds ?? 0,
      selector,
      template,
    },
  };
}
