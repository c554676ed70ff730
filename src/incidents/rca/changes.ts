/**
 * Changes that precede a symptom, read from a cluster snapshot: rollouts (a Deployment's new
 * ReplicaSet revision, `deployment.kubernetes.io/revision` > 1), scaling (the deployment
 * controller's ScalingReplicaSet events), and node events (a Warning on a Node, e.g.
 * NodeNotReady, or a condition turning bad). Callers can add changes the snapshot cannot show,
 * such as ConfigMap edits seen on a watch.
 */
import type { CoreV1Event } from "@kubernetes/client-node";
import type { ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";

export interface Change {
  kind: "rollout" | "scale" | "config" | "node";
  entity: ObjectRef;
  time: number;
  text: string;
  /** Workloads the change touches (a ConfigMap's consumers), when not the entity itself. */
  affects?: ObjectRef[];
}

const REVISION = "deployment.kubernetes.io/revision";
const NODE_BAD = /NotReady|Pressure|Rebooted|Unhealthy|NetworkUnavailable|OOM|Failed/;

export function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t as unknown as string).getTime() : 0;
}

export function changesFrom(snap: ClusterSnapshot): Change[] {
  const out: Change[] = [];
  for (const rs of snap.replicaSets) {
    const rev = Number(rs.metadata?.annotations?.[REVISION] ?? 0);
    const owner = rs.metadata?.ownerReferences?.find((o) => o.kind === "Deployment");
    const created = rs.metadata?.creationTimestamp;
    if (rev > 1 && owner && created)
      out.push({
        kind: "rollout",
        entity: { kind: "Deployment", namespace: rs.metadata?.namespace, name: owner.name },
        time: new Date(created as unknown as string).getTime(),
        text: `rollout of deployment ${owner.name} to revision ${rev} (replica set ${rs.metadata?.name})`,
      });
  }
  for (const e of snap.events) {
    const o = e.involvedObject;
    if (e.reason === "ScalingReplicaSet" && o?.kind === "Deployment" && o.name) {
      // The first scale-up of a new ReplicaSet is part of its rollout, not a scaling change.
      if (/from 0 to/.test(e.message ?? "")) continue;
      out.push({
        kind: "scale",
        entity: { kind: "Deployment", namespace: o.namespace, name: o.name },
        time: eventTime(e),
        text: e.message ?? "scaled",
      });
    } else if (
      o?.kind === "Node" &&
      o.name &&
      e.type === "Warning" &&
      NODE_BAD.test(e.reason ?? "")
    )
      out.push({
        kind: "node",
        entity: { kind: "Node", name: o.name },
        time: eventTime(e),
        text: `${e.reason}: ${e.message ?? ""}`,
      });
  }
  return out.sort((a, b) => a.time - b.time);
}
