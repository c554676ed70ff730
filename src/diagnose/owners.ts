/** Resolves a pod to the workload that owns it (Pod → ReplicaSet → Deployment via ownerReferences). */
import type { V1ObjectMeta } from "@kubernetes/client-node";
import type { ObjectRef } from "../core/types.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";

function controllerOf(meta: V1ObjectMeta | undefined) {
  return meta?.ownerReferences?.find((o) => o.controller) ?? meta?.ownerReferences?.[0];
}

export function owningWorkload(snap: ClusterSnapshot, meta: V1ObjectMeta | undefined): ObjectRef {
  const ns = meta?.namespace;
  const self: ObjectRef = { kind: "Pod", namespace: ns, name: meta?.name ?? "", uid: meta?.uid };
  const owner = controllerOf(meta);
  if (!owner) return self;
  if (owner.kind === "ReplicaSet") {
    const rs = snap.replicaSets.find(
      (r) => r.metadata?.namespace === ns && r.metadata?.name === owner.name,
    );
    const dep = controllerOf(rs?.metadata);
    if (dep?.kind === "Deployment")
      return { kind: "Deployment", namespace: ns, name: dep.name, uid: dep.uid };
  }
  return { kind: owner.kind, namespace: ns, name: owner.name, uid: owner.uid };
}

export function refKey(r: ObjectRef): string {
  return `${r.kind}/${r.namespace ?? ""}/${r.name}`;
}
