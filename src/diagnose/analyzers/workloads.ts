/**
 * Deployments, StatefulSets and DaemonSets that do not have the pods they want, when no pod-level
 * finding already explains why (see pod-symptoms.ts): a stuck rollout (Progressing=False,
 * ProgressDeadlineExceeded), pods the ReplicaSet cannot create (ReplicaFailure: quota,
 * admission), a StatefulSet without its governing Service or stuck on an ordinal (k8sgpt reports
 * "no problem" for a 0/3 StatefulSet), a DaemonSet with misscheduled or unavailable pods.
 * Status that is merely catching up (a rollout in progress, just scaled) is not a problem: a
 * shortfall counts only after GRACE_MS.
 */
import type { V1Deployment, V1ReplicaSet } from "@kubernetes/client-node";
import type { Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { refKey } from "../owners.ts";
import { replicaSetsOf, revisionOf } from "../rollout-diff.ts";
import { refOf, timeOf } from "./common.ts";
import {
  GRACE_MS,
  type WorkloadContext,
  workloadContext,
  workloadFinding,
} from "./workload-context.ts";
import { analyzeDaemonSets, analyzeStatefulSets } from "./workload-sets.ts";

export { WORKLOADS } from "./workload-context.ts";

function deploymentFinding(w: WorkloadContext, d: V1Deployment): Finding | undefined {
  const subject = refOf("Deployment", d.metadata);
  if (w.explained.has(refKey(subject)) || d.spec?.paused) return undefined;
  const name = `${d.metadata?.namespace}/${d.metadata?.name}`;
  const want = d.spec?.replicas ?? 1;
  const avail = d.status?.availableReplicas ?? 0;
  const conds = d.status?.conditions ?? [];
  const failure = [
    ...conds.filter((c) => c.type === "ReplicaFailure" && c.status === "True"),
    ...replicaSetsOf(w.snap, d).flatMap((rs) =>
      (rs.status?.conditions ?? []).filter(
        (c) => c.type === "ReplicaFailure" && c.status === "True",
      ),
    ),
  ][0];
  if (failure) {
    return workloadFinding(
      w,
      subject,
      "FailedCreate",
      `the ReplicaSet of Deployment ${name} cannot create pods: ${failure.message ?? failure.reason}`,
      [{ type: "status", text: `ReplicaFailure=True ${failure.reason}: ${failure.message ?? ""}` }],
      {
        description:
          "fix what rejects the pods (ResourceQuota, LimitRange, admission webhook or policy named in the message)",
      },
    );
  }
  const progressing = conds.find((c) => c.type === "Progressing");
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    return workloadFinding(
      w,
      subject,
      "ProgressDeadlineExceeded",
      `the rollout of Deployment ${name} to revision ${revisionOf(d)} made no progress within ${d.spec?.progressDeadlineSeconds ?? 600}s (${avail}/${want} available): ${progressing.message ?? ""}`,
      [
        {
          type: "status",
          text: `Progressing=False ProgressDeadlineExceeded: ${progressing.message ?? ""}`,
        },
      ],
      {
        description: "inspect the new ReplicaSet's pods, or roll back",
        command: `kubectl rollout undo deployment/${d.metadata?.name} -n ${d.metadata?.namespace}`,
      },
    );
  }
  const available = conds.find((c) => c.type === "Available");
  const since = timeOf(available?.lastTransitionTime) ?? w.now;
  if (available?.status === "False" && w.now - since >= GRACE_MS && avail < want) {
    return workloadFinding(
      w,
      subject,
      "MinimumReplicasUnavailable",
      `Deployment ${name} has ${avail}/${want} replicas available for ${Math.round((w.now - since) / 60_000)} min and no pod reports a failure`,
      [
        {
          type: "status",
          text: `Available=False ${available.reason ?? ""}: ${available.message ?? ""}`,
        },
      ],
      {
        description: "check the ReplicaSets and pod events of the Deployment",
        command: `kubectl describe deployment ${d.metadata?.name} -n ${d.metadata?.namespace}`,
      },
    );
  }
  return undefined;
}

/** ReplicaSets no Deployment owns (a Deployment's are reported as the Deployment's). */
function replicaSetFinding(w: WorkloadContext, rs: V1ReplicaSet): Finding | undefined {
  if (rs.metadata?.ownerReferences?.some((o) => o.kind === "Deployment")) return undefined;
  const failure = rs.status?.conditions?.find(
    (c) => c.type === "ReplicaFailure" && c.status === "True",
  );
  if (!failure) return undefined;
  const subject = refOf("ReplicaSet", rs.metadata);
  return workloadFinding(
    w,
    subject,
    "FailedCreate",
    `ReplicaSet ${subject.namespace}/${subject.name} cannot create pods: ${failure.message ?? failure.reason}`,
    [{ type: "status", text: `ReplicaFailure=True ${failure.reason}: ${failure.message ?? ""}` }],
    {
      description:
        "fix what rejects the pods (ResourceQuota, LimitRange, admission webhook or policy named in the message)",
    },
  );
}

export function analyzeWorkloads(snap: ClusterSnapshot, now: number): Finding[] {
  const w = workloadContext(snap, now);
  const out: Finding[] = [];
  for (const d of snap.deployments) {
    const f = deploymentFinding(w, d);
    if (f) out.push(f);
  }
  for (const rs of snap.replicaSets) {
    const f = replicaSetFinding(w, rs);
    if (f) out.push(f);
  }
  out.push(...analyzeStatefulSets(w), ...analyzeDaemonSets(w));
  return out;
}
