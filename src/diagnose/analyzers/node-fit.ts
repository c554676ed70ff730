/**
 * The static half of the scheduler's filters, over the snapshot: which nodes a pod's
 * nodeSelector / required node affinity admit, which taints it does not tolerate, what it
 * requests and the largest allocatable. Used to turn the scheduler's counts into a reason a
 * person can act on ("restricted to node-c-1, whose taint it does not tolerate").
 */
import type { V1Node, V1NodeSelectorRequirement, V1Pod, V1Taint } from "@kubernetes/client-node";
import { parseQuantity } from "../../sim/quantity.ts";

function matchesExpr(labels: Record<string, string>, e: V1NodeSelectorRequirement): boolean {
  const v = labels[e.key];
  const values = e.values ?? [];
  switch (e.operator) {
    case "In":
      return v !== undefined && values.includes(v);
    case "NotIn":
      return v === undefined || !values.includes(v);
    case "Exists":
      return v !== undefined;
    case "DoesNotExist":
      return v === undefined;
    case "Gt":
      return v !== undefined && Number(v) > Number(values[0]);
    case "Lt":
      return v !== undefined && Number(v) < Number(values[0]);
    default:
      return false;
  }
}

/** nodeSelector AND (any of the required nodeSelectorTerms) — NodeAffinity's Filter. */
export function nodeAdmits(pod: V1Pod, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {}))
    if (labels[k] !== v) return false;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some((t) => (t.matchExpressions ?? []).every((e) => matchesExpr(labels, e)));
}

export function hasNodeConstraints(pod: V1Pod): boolean {
  return (
    Object.keys(pod.spec?.nodeSelector ?? {}).length > 0 ||
    !!pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  );
}

/** Taints with NoSchedule/NoExecute that no toleration of the pod matches. */
export function untoleratedTaints(pod: V1Pod, node: V1Node): V1Taint[] {
  return (node.spec?.taints ?? []).filter((t) => {
    if (t.effect !== "NoSchedule" && t.effect !== "NoExecute") return false;
    return !(pod.spec?.tolerations ?? []).some((tol) => {
      if (tol.effect && tol.effect !== t.effect) return false;
      if (tol.operator === "Exists") return !tol.key || tol.key === t.key;
      return tol.key === t.key && (tol.value ?? "") === (t.value ?? "");
    });
  });
}

export function formatTaint(t: V1Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`;
}

/** The effective request: sum of containers, at least the largest init container (resource model). */
export function podRequest(pod: V1Pod, resource: string): number {
  const req = (c: { resources?: { requests?: Record<string, string> } }) =>
    parseQuantity(c.resources?.requests?.[resource]);
  const sum = (pod.spec?.containers ?? []).reduce((s, c) => s + req(c), 0);
  const init = Math.max(0, ...(pod.spec?.initContainers ?? []).map(req));
  return Math.max(sum, init);
}

export function allocatable(node: V1Node, resource: string): number {
  return parseQuantity(node.status?.allocatable?.[resource] ?? node.status?.capacity?.[resource]);
}

export function formatAmount(resource: string, v: number): string {
  if (resource === "cpu") return Number.isInteger(v) ? `${v}` : `${Math.round(v * 1000)}m`;
  if (resource === "memory" || resource === "ephemeral-storage")
    return v >= 2 ** 30 ? `${+(v / 2 ** 30).toFixed(1)}Gi` : `${Math.round(v / 2 ** 20)}Mi`;
  return `${v}`;
}
