/**
 * kube-state-metrics-like series from the object store (metric and label names as in
 * kube-state-metrics v2: docs/metrics/workload/pod-metrics.md and friends).
 */
import { parseQuantity } from "../quantity.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject } from "../store/types.ts";
import type { Exposition } from "./exposition.ts";

const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];
const PVC_PHASES = ["Lost", "Bound", "Pending"];

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string } };
  lastState?: { terminated?: { reason?: string } };
}
interface ContainerSpec {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export function renderKubeState(out: Exposition, store: ObjectStore, _now: number): void {
  declare(out);
  for (const pod of store.list("pods")) renderPod(out, pod);
  for (const d of store.list("deployments.apps")) {
    const l = { namespace: d.metadata.namespace as string, deployment: d.metadata.name as string };
    out.sample("kube_deployment_spec_replicas", l, num(d.spec?.replicas, 1));
    out.sample("kube_deployment_status_replicas_available", l, num(d.status?.availableReplicas, 0));
  }
  for (const n of store.list("nodes")) renderNode(out, n);
  for (const h of store.list("horizontalpodautoscalers.autoscaling")) {
    const l = {
      namespace: h.metadata.namespace as string,
      horizontalpodautoscaler: h.metadata.name as string,
    };
    out.sample(
      "kube_horizontalpodautoscaler_status_current_replicas",
      l,
      num(h.status?.currentReplicas, 0),
    );
  }
  for (const c of store.list("persistentvolumeclaims")) {
    const phase = (c.status?.phase as string | undefined) ?? "Pending";
    for (const p of PVC_PHASES) {
      const l = {
        namespace: c.metadata.namespace as string,
        persistentvolumeclaim: c.metadata.name as string,
        phase: p,
      };
      out.sample("kube_persistentvolumeclaim_status_phase", l, p === phase ? 1 : 0);
    }
  }
}

function declare(out: Exposition): void {
  const g = (n: string, h: string) => out.family(n, "gauge", h);
  g("kube_pod_info", "Information about pod.");
  g("kube_pod_status_phase", "The pods current phase.");
  out.family(
    "kube_pod_container_status_restarts_total",
    "counter",
    "The number of container restarts per container.",
  );
  g(
    "kube_pod_container_status_waiting_reason",
    "Describes the reason the container is currently in waiting state.",
  );
  g(
    "kube_pod_container_status_last_terminated_reason",
    "Describes the last reason the container was in terminated state.",
  );
  g(
    "kube_pod_container_resource_requests",
    "The number of requested request resource by a container.",
  );
  g("kube_pod_container_resource_limits", "The number of requested limit resource by a container.");
  g("kube_deployment_spec_replicas", "Number of desired pods for a deployment.");
  g(
    "kube_deployment_status_replicas_available",
    "The number of available replicas per deployment.",
  );
  g("kube_node_status_condition", "The condition of a cluster node.");
  g(
    "kube_node_status_allocatable",
    "The allocatable for different resources of a node that are available for scheduling.",
  );
  g("kube_node_spec_unschedulable", "Whether a node can schedule new pods.");
  g(
    "kube_horizontalpodautoscaler_status_current_replicas",
    "Current number of replicas of pods managed by this autoscaler.",
  );
  g(
    "kube_persistentvolumeclaim_status_phase",
    "The phase the persistent volume claim is currently in.",
  );
}

function renderPod(out: Exposition, pod: KubeObject): void {
  const base = {
    namespace: pod.metadata.namespace as string,
    pod: pod.metadata.name as string,
    uid: pod.metadata.uid as string,
  };
  const node = (pod.spec?.nodeName as string | undefined) ?? "";
  const owner = pod.metadata.ownerReferences?.[0];
  out.sample(
    "kube_pod_info",
    { ...base, node, created_by_kind: owner?.kind ?? "", created_by_name: owner?.name ?? "" },
    1,
  );
  const phase = (pod.status?.phase as string | undefined) ?? "Pending";
  for (const p of PHASES)
    out.sample("kube_pod_status_phase", { ...base, phase: p }, p === phase ? 1 : 0);
  for (const s of (pod.status?.containerStatuses ?? []) as ContainerStatus[]) {
    const l = { ...base, container: s.name };
    out.sample("kube_pod_container_status_restarts_total", l, s.restartCount ?? 0);
    const waiting = s.state?.waiting?.reason;
    if (waiting)
      out.sample("kube_pod_container_status_waiting_reason", { ...l, reason: waiting }, 1);
    const last = s.lastState?.terminated?.reason;
    if (last)
      out.sample("kube_pod_container_status_last_terminated_reason", { ...l, reason: last }, 1);
  }
  for (const c of (pod.spec?.containers ?? []) as ContainerSpec[]) {
    const l = { ...base, container: c.name, node };
    resources(out, "kube_pod_container_resource_requests", l, c.resources?.requests);
    resources(out, "kube_pod_container_resource_limits", l, c.resources?.limits);
  }
}

function resources(
  out: Exposition,
  family: string,
  labels: Record<string, string>,
  values: Record<string, string> | undefined,
): void {
  for (const [resource, q] of Object.entries(values ?? {})) {
    const unit = resource === "cpu" ? "core" : resource === "pods" ? "integer" : "byte";
    out.sample(
      family,
      { ...labels, resource: resource.replace(/-/g, "_"), unit },
      parseQuantity(q),
    );
  }
}

function renderNode(out: Exposition, n: KubeObject): void {
  const node = n.metadata.name as string;
  const conds = (n.status?.conditions ?? []) as Array<{ type: string; status: string }>;
  for (const c of conds) {
    for (const st of ["true", "false", "unknown"]) {
      const v = c.status.toLowerCase() === st ? 1 : 0;
      out.sample("kube_node_status_condition", { node, condition: c.type, status: st }, v);
    }
  }
  const alloc = (n.status?.allocatable ?? {}) as Record<string, string>;
  resources(out, "kube_node_status_allocatable", { node }, alloc);
  out.sample("kube_node_spec_unschedulable", { node }, n.spec?.unschedulable ? 1 : 0);
}

function num(v: unknown, dflt: number): number {
  return typeof v === "number" ? v : dflt;
}
