/**
 * Topology used to group signals: which node a pod runs on, the node's zone, the workload that
 * owns the pod, the Services in front of a workload and the Services a workload calls. Plain
 * maps, so a test or benchmark can write one by hand and the agent can build one from a
 * cluster snapshot. Dependencies come from the `opsloop.dev/depends-on` pod annotation (comma
 * separated Service names) or the simulator's behaviour annotation (`dependsOn`).
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { ObjectRef } from "../core/types.ts";
import { owningWorkload, refKey } from "../diagnose/owners.ts";
import { POD_BEHAVIOUR_ANNOTATION, podBehaviour } from "../sim/behaviour.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";

export const DEPENDS_ON_ANNOTATION = "opsloop.dev/depends-on";
export const ZONE_LABEL = "topology.kubernetes.io/zone";

export interface Topology {
  /** "ns/pod" → node name. */
  podNode: Map<string, string>;
  /** "ns/pod" → owning workload. */
  podOwner: Map<string, ObjectRef>;
  /** node → zone. */
  nodeZone: Map<string, string>;
  /** refKey(workload) → "ns/service" of every Service selecting its pods. */
  workloadServices: Map<string, string[]>;
  /** "ns/service" → "ns/service" it calls. */
  serviceDeps: Map<string, string[]>;
}

export function emptyTopology(): Topology {
  return {
    podNode: new Map(),
    podOwner: new Map(),
    nodeZone: new Map(),
    workloadServices: new Map(),
    serviceDeps: new Map(),
  };
}

function podDeps(pod: V1Pod): string[] {
  const ann = pod.metadata?.annotations ?? {};
  const explicit = ann[DEPENDS_ON_ANNOTATION];
  if (explicit)
    return explicit
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (!ann[POD_BEHAVIOUR_ANNOTATION]) return [];
  try {
    return podBehaviour(ann).dependsOn;
  } catch {
    // A malformed simulator annotation only costs us the dependency edges, not the grouping.
    return [];
  }
}

function selects(selector: Record<string, string> | undefined, pod: V1Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export function topologyFromSnapshot(snap: ClusterSnapshot): Topology {
  const t = emptyTopology();
  for (const n of snap.nodes) {
    const zone = n.metadata?.labels?.[ZONE_LABEL];
    if (n.metadata?.name && zone) t.nodeZone.set(n.metadata.name, zone);
  }
  const servicesByNs = new Map<string, ClusterSnapshot["services"]>();
  for (const s of snap.services) {
    const ns = s.metadata?.namespace ?? "";
    servicesByNs.set(ns, [...(servicesByNs.get(ns) ?? []), s]);
  }
  for (const pod of snap.pods) {
    const ns = pod.metadata?.namespace ?? "";
    const key = `${ns}/${pod.metadata?.name ?? ""}`;
    const owner = owningWorkload(snap, pod.metadata);
    t.podOwner.set(key, owner);
    if (pod.spec?.nodeName) t.podNode.set(key, pod.spec.nodeName);
    const services = (servicesByNs.get(ns) ?? [])
      .filter((s) => selects(s.spec?.selector, pod))
      .map((s) => `${ns}/${s.metadata?.name ?? ""}`);
    const wl = refKey(owner);
    t.workloadServices.set(wl, [...new Set([...(t.workloadServices.get(wl) ?? []), ...services])]);
    const deps = podDeps(pod).map((d) => `${ns}/${d}`);
    for (const s of services)
      t.serviceDeps.set(s, [...new Set([...(t.serviceDeps.get(s) ?? []), ...deps])]);
  }
  return t;
}

/** Every Service reachable from `services` over dependency edges (not including them). */
export function transitiveDeps(t: Topology, services: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...services];
  while (stack.length > 0) {
    const s = stack.pop() as string;
    for (const d of t.serviceDeps.get(s) ?? []) {
      if (out.has(d)) continue;
      out.add(d);
      stack.push(d);
    }
  }
  return out;
}
