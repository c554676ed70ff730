/**
 * What the workload analyzers share: the pods of each workload, which workloads already have a
 * pod-level finding (skipped, so one root cause is reported once), and the Finding shape.
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { Evidence, Finding, ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { owningWorkload, refKey } from "../owners.ts";
import { makeFinding, podRef } from "./common.ts";
import { hasPodLevelCause, notReadyNodes } from "./pod-symptoms.ts";

export const WORKLOADS = "diagnose/workloads";
export const GRACE_MS = 2 * 60_000;

export interface WorkloadContext {
  snap: ClusterSnapshot;
  now: number;
  pods: Map<string, V1Pod[]>;
  /** Workloads (refKey) with a pod whose cause a pod-level analyzer reports. */
  explained: Set<string>;
}

export function workloadContext(snap: ClusterSnapshot, now: number): WorkloadContext {
  const pods = new Map<string, V1Pod[]>();
  const explained = new Set<string>();
  const bad = notReadyNodes(snap);
  for (const p of snap.pods) {
    const key = refKey(owningWorkload(snap, p.metadata));
    const list = pods.get(key) ?? [];
    list.push(p);
    pods.set(key, list);
    if (!p.metadata?.deletionTimestamp && hasPodLevelCause(snap, p, bad, now)) explained.add(key);
  }
  return { snap, now, pods, explained };
}

export function workloadFinding(
  w: WorkloadContext,
  subject: ObjectRef,
  reason: string,
  rootCause: string,
  evidence: Evidence[],
  fix: Finding["fix"],
  severity: Finding["severity"] = "critical",
): Finding {
  const pods = (w.pods.get(refKey(subject)) ?? []).filter((p) => p.status?.phase !== "Succeeded");
  return makeFinding(
    {
      source: WORKLOADS,
      key: reason,
      subject,
      affected: [subject, ...pods.map(podRef)],
      reason,
      rootCause,
      evidence,
      fix,
      confidence: 0.8,
      severity,
    },
    w.now,
  );
}
