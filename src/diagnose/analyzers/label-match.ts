/**
 * Label selectors as the API server evaluates them (metav1.LabelSelectorAsSelector): matchLabels
 * AND every matchExpression. A nil selector matches nothing and an empty one everything — the
 * NetworkPolicy podSelector `{}` means "all pods in the namespace", a Service without a selector
 * has no managed endpoints at all.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { matchesSelector } from "../../core/label-selector.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";

/** A Service's `spec.selector` is a plain map: every pair must match. */
export function matchesMap(
  sel: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  return matchesSelector(sel ? { matchLabels: sel } : undefined, labels);
}

export function formatMap(sel: Record<string, string> | undefined): string {
  return Object.entries(sel ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** Pods of a namespace, indexed once per call site (5,000 pods: avoid one scan per Service). */
export function podsByNamespace(pods: V1Pod[]): Map<string, V1Pod[]> {
  const out = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? "";
    const list = out.get(ns) ?? [];
    list.push(p);
    out.set(ns, list);
  }
  return out;
}

/** Running, not being deleted: the pods a controller or a Service would count. */
export function isLive(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata?.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed";
}

export function isReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

export interface TemplateOwner {
  kind: string;
  name: string;
  labels: Record<string, string>;
  /** Desired replicas; undefined for DaemonSets, Jobs and CronJobs (they run on their own terms). */
  replicas?: number;
}

/** The pod templates of a namespace's workloads: who would create pods with which labels. */
export function templatesIn(snap: ClusterSnapshot, ns: string): TemplateOwner[] {
  const out: TemplateOwner[] = [];
  const inNs = <T extends { metadata?: { namespace?: string } }>(l: T[]) =>
    l.filter((o) => o.metadata?.namespace === ns);
  for (const d of inNs(snap.deployments))
    out.push({
      kind: "Deployment",
      name: d.metadata?.name ?? "",
      labels: d.spec?.template?.metadata?.labels ?? {},
      replicas: d.spec?.replicas ?? 1,
    });
  for (const s of inNs(snap.statefulSets))
    out.push({
      kind: "StatefulSet",
      name: s.metadata?.name ?? "",
      labels: s.spec?.template?.metadata?.labels ?? {},
      replicas: s.spec?.replicas ?? 1,
    });
  for (const d of inNs(snap.daemonSets))
    out.push({
      kind: "DaemonSet",
      name: d.metadata?.name ?? "",
      labels: d.spec?.template?.metadata?.labels ?? {},
    });
  for (const j of inNs(snap.jobs))
    out.push({
      kind: "Job",
      name: j.metadata?.name ?? "",
      labels: j.spec?.template?.metadata?.labels ?? {},
    });
  for (const c of inNs(snap.cronJobs))
    out.push({
      kind: "CronJob",
      name: c.metadata?.name ?? "",
      labels: c.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {},
    });
  return out;
}
