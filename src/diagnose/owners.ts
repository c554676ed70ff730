/** Resolves a pod to the workload that owns it (Pod → ReplicaSet → Deployment via ownerReferences). */
import type { V1ObjectMeta, V1ReplicaSet } from "@kubernetes/client-node";
import type { ObjectRef } from "../core/types.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";

function controllerOf(meta: V1ObjectMeta | undefined) {
  return meta?.ownerReferences?.find((o) => o.controller) ?? meta?.ownerReferences?.[0];
}

const RS_INDEX = new WeakMap<ClusterSnapshot, Map<string, V1ReplicaSet>>();

/** ns/name → ReplicaSet, built once per snapshot: a lookup per pod must not scan every ReplicaSet. */
function replicaSet(snap: ClusterSnapshot, ns: string | undefined, name: string) {
  let idx = RS_INDEX.get(snap);
  if (!idx) {
    idx = new Map(snap.replicaSets.map((r) => [`${r.metadata?.namespace}/${r.metadata?.name}`, r]));
    RS_INDEX.set(snap, idx);
  }
  return idx.get(`${ns}/${name}`);
}

export function owningWorkload(snap: ClusterSnapshot, meta: V1ObjectMeta | undefined): ObjectRef {
  const ns = meta?.namespace;
  const self: ObjectRef = { kind: "Pod", namespace: ns, name: meta?.name ?? "", uid: meta?.uid };
  const owner = controllerOf(meta);
  if (!owner) return self;
  if (owner.kind === "ReplicaSet") {
    const rs = replicaSet(snap, ns, owner.name);
    const dep = controllerOf(rs?.metadata);
    if (dep?.kind === "Deployment")
      return { kind: "Deployment", namespace: ns, name: dep.name, uid: dep.uid };
  }
  return { kind: owner.kind, namespace: ns, name: owner.name, uid: owner.uid };
}

export function refKey(r: ObjectRef): string {
  return `${r.kind}/${r.namespace ?? ""}/${r.name}`;
}
