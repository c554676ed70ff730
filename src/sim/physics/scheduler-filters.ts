/**
 * The default scheduler's filter plugins, in the framework's order, with their exact
 * unschedulable reasons: NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit,
 * and VolumeBinding's PreFilter for PersistentVolumeClaims.
 */
import { milliCores, parseQuantity } from "../quantity.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject } from "../store/types.ts";
import { podRequest, type Taint, tolerates } from "./pod-util.ts";

export interface NodeUsage {
  cpu: number;
  memory: number;
  pods: number;
}

export interface FilterResult {
  reasons: string[];
  /** UnschedulableAndUnresolvable: preemption cannot help on this node. */
  unresolvable: boolean;
}

/** VolumeBinding PreFilter: a message when a claim is missing or not bound. */
export function volumePreFilter(store: ObjectStore, pod: KubeObject): string | undefined {
  const ns = pod.metadata.namespace;
  let unbound = false;
  for (const v of pod.spec?.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (!claim) continue;
    const pvc = store.get("persistentvolumeclaims", ns, claim);
    if (!pvc) return `persistentvolumeclaim "${claim}" not found`;
    if (pvc.status?.phase === "Bound") continue;
    const scName = pvc.spec?.storageClassName;
    const sc = scName ? store.get("storageclasses.storage.k8s.io", undefined, scName) : undefined;
    if (sc?.volumeBindingMode === "WaitForFirstConsumer") continue;
    unbound = true;
  }
  return unbound ? "pod has unbound immediate PersistentVolumeClaims" : undefined;
}

function taintFilter(pod: KubeObject, node: KubeObject): FilterResult | undefined {
  for (const t of (node.spec?.taints ?? []) as Taint[]) {
    if (t.effect !== "NoSchedule" && t.effect !== "NoExecute") continue;
    if (tolerates(pod.spec?.tolerations, t)) continue;
    return {
      reasons: [`node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`],
      unresolvable: true,
    };
  }
  return undefined;
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

interface Term {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

function matchExpression(labels: Record<string, string>, e: Requirement): boolean {
  const has = Object.hasOwn(labels, e.key);
  const v = labels[e.key];
  const values: string[] = e.values ?? [];
  switch (e.operator) {
    case "In":
      return has && values.includes(v as string);
    case "NotIn":
      return !has || !values.includes(v as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      const n = Number.parseInt(v ?? "", 10);
      const bound = Number.parseInt(values[0] ?? "", 10);
      if (!has || Number.isNaN(n) || Number.isNaN(bound)) return false;
      return e.operator === "Gt" ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels = (node.metadata.labels ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) {
    if (labels[k] !== v) return false;
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = req?.nodeSelectorTerms ?? [];
  if (!terms.length) return true;
  const fields: Record<string, string> = { "metadata.name": node.metadata.name as string };
  return terms.some((t: Term) => {
    const exprs = t.matchExpressions ?? [];
    const fieldExprs = t.matchFields ?? [];
    if (!exprs.length && !fieldExprs.length) return false;
    return (
      exprs.every((e) => matchExpression(labels, e)) &&
      fieldExprs.every((e) => matchExpression(fields, e))
    );
  });
}

function resourceFit(pod: KubeObject, node: KubeObject, used: NodeUsage): string[] {
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  const reasons: string[] = [];
  if (used.pods + 1 > parseQuantity(alloc.pods ?? "110")) reasons.push("Too many pods");
  const cpu = podRequest(pod, "cpu");
  if (cpu > 0 && used.cpu + cpu > milliCores(alloc.cpu ?? "0")) reasons.push("Insufficient cpu");
  const mem = podRequest(pod, "memory");
  if (mem > 0 && used.memory + mem > parseQuantity(alloc.memory ?? "0"))
    reasons.push("Insufficient memory");
  return reasons;
}

/** Runs the filters in order and stops at the first plugin that rejects the node. */
export function filterNode(
  pod: KubeObject,
  node: KubeObject,
  used: NodeUsage,
): FilterResult | undefined {
  if (node.spec?.unschedulable) {
    const t = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
    if (!tolerates(pod.spec?.tolerations, t))
      return { reasons: ["node(s) were unschedulable"], unresolvable: true };
  }
  const taint = taintFilter(pod, node);
  if (taint) return taint;
  if (!matchesNodeAffinity(pod, node)) {
    return { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
  }
  const fit = resourceFit(pod, node, used);
  if (fit.length) return { reasons: fit, unresolvable: false };
  return undefined;
}

/** `sort.Strings` over "count reason" pairs, as framework.FitError builds its histogram. */
export function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.join(", ");
}
