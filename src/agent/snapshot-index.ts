/**
 * Lookups over one cluster snapshot, built once per snapshot object. Live detection resolves
 * the owner of every new pod series (thousands per scrape on a large cluster): a scan of every
 * pod per lookup made one scrape cost seconds of blocked event loop at 5,000 pods.
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { ObjectRef } from "../core/types.ts";
import { owningWorkload } from "../diagnose/owners.ts";
import { type Topology, topologyFromSnapshot } from "../incidents/topology.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";

const PODS = new WeakMap<ClusterSnapshot, Map<string, V1Pod>>();

/** The pod `namespace/name` of the snapshot, if it has one. */
export function podOf(snap: ClusterSnapshot, namespace: string, name: string): V1Pod | undefined {
  let idx = PODS.get(snap);
  if (!idx) {
    idx = new Map(snap.pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    PODS.set(snap, idx);
  }
  return idx.get(`${namespace}/${name}`);
}

/** The workload owning pod `namespace/name`, or undefined when the snapshot has no such pod. */
export function ownerOfPod(
  snap: ClusterSnapshot,
  namespace: string,
  name: string,
): ObjectRef | undefined {
  const meta = podOf(snap, namespace, name)?.metadata;
  return meta ? owningWorkload(snap, meta) : undefined;
}

const TOPOLOGY = new WeakMap<ClusterSnapshot, Topology>();

/** The incident topology of a snapshot, built once per snapshot (read-only for callers). */
export function topologyOf(snap: ClusterSnapshot): Topology {
  let t = TOPOLOGY.get(snap);
  if (!t) {
    t = topologyFromSnapshot(snap);
    TOPOLOGY.set(snap, t);
  }
  return t;
}
