/**
 * "Which rollout broke it": when every failing pod of a Deployment belongs to the ReplicaSet of
 * its current revision and an earlier revision exists, the change between the two templates is
 * the likely cause, and `kubectl rollout undo` the quickest fix. If the previous revision's pods
 * are still ready (the rollout is stuck half-way, as maxUnavailable keeps them), that is strong
 * evidence that the old template works.
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { describeRollout, lastRollout } from "../rollout-diff.ts";
import type { Problem } from "./common.ts";

function replicaSetOf(pod: V1Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((o) => o.kind === "ReplicaSet")?.name;
}

export function attributeToRollout(
  snap: ClusterSnapshot,
  subject: ObjectRef,
  pods: V1Pod[],
  problem: Problem,
): Problem {
  if (subject.kind !== "Deployment") return problem;
  const dep = snap.deployments.find(
    (d) => d.metadata?.namespace === subject.namespace && d.metadata?.name === subject.name,
  );
  const diff = dep && lastRollout(snap, dep);
  if (!diff?.changes.length) return problem;
  if (!pods.every((p) => replicaSetOf(p) === diff.currentReplicaSet)) return problem;
  const still = diff.previousReady
    ? `; revision ${diff.previousRevision} still has ${diff.previousReady} ready pod(s)`
    : "";
  const undo = `kubectl rollout undo deployment/${diff.deployment} -n ${diff.namespace}`;
  return {
    ...problem,
    rootCause: `${problem.rootCause}, introduced by ${describeRollout(diff)}${still}`,
    confidence: Math.min(0.97, problem.confidence + 0.05),
    evidence: [
      ...problem.evidence,
      {
        type: "object",
        text: `rollout ${diff.previousRevision} → ${diff.revision}: ${diff.changes.join("; ")}`,
        data: diff,
      },
    ],
    fix: {
      description: `roll back to revision ${diff.previousRevision}, then ${problem.fix?.description ?? "fix the new revision"}`,
      command: undo,
      ...(problem.fix?.patch ? { patch: problem.fix.patch } : {}),
    },
  };
}

/**
 * A StatefulSet whose failing pods block the ordinals after them (OrderedReady creates N+1 only
 * once N is Ready): the finding says how far the set is from its replica count.
 */
export function attributeToOrdinals(
  snap: ClusterSnapshot,
  subject: ObjectRef,
  problem: Problem,
): Problem {
  if (subject.kind !== "StatefulSet") return problem;
  const sts = snap.statefulSets.find(
    (s) => s.metadata?.namespace === subject.namespace && s.metadata?.name === subject.name,
  );
  if (!sts || (sts.spec?.podManagementPolicy ?? "OrderedReady") !== "OrderedReady") return problem;
  const want = sts.spec?.replicas ?? 1;
  const have = new Set(
    snap.pods
      .filter((p) => p.metadata?.namespace === subject.namespace)
      .map((p) => p.metadata?.name),
  );
  const missing = Array.from({ length: want }, (_, i) => `${subject.name}-${i}`).filter(
    (n) => !have.has(n),
  );
  if (!missing.length) return problem;
  return {
    ...problem,
    rootCause: `${problem.rootCause}; OrderedReady holds back ${missing.join(", ")} (${sts.status?.readyReplicas ?? 0}/${want} ready)`,
  };
}
