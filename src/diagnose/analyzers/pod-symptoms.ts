/**
 * Whether a pod's trouble is already explained by a pod-level analyzer (pod-startup, pending,
 * probes, event-patterns, nodes). Workload analyzers skip a workload with such a pod: its
 * finding already names the workload as subject, and "Deployment 1/3 available" next to it
 * would be the same root cause reported twice (k8sgpt reports both).
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { eventIndex } from "./common.ts";
import { probeFailure } from "./probes.ts";

const WAITING = new Set([
  "CreateContainerConfigError",
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CrashLoopBackOff",
  "CreateContainerError",
  "RunContainerError",
  "PreStartHookError",
  "PostStartHookError",
  "ImageInspectError",
]);

const STUCK_EVENTS = ["FailedMount", "FailedCreatePodSandBox", "FailedAttachVolume"];

export function notReadyNodes(snap: ClusterSnapshot): Set<string> {
  return new Set(
    snap.nodes
      .filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status !== "True"))
      .map((n) => n.metadata?.name ?? ""),
  );
}

export function hasPodLevelCause(
  snap: ClusterSnapshot,
  pod: V1Pod,
  badNodes: Set<string>,
  now: number,
): boolean {
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  if (statuses.some((c) => WAITING.has(c.state?.waiting?.reason ?? ""))) return true;
  if (
    statuses.some(
      (c) => c.lastState?.terminated?.reason === "OOMKilled" && (c.restartCount ?? 0) > 0,
    )
  )
    return true;
  if (pod.spec?.nodeName && badNodes.has(pod.spec.nodeName)) return true;
  if (pod.status?.phase === "Pending") {
    const sched = pod.status.conditions?.find((c) => c.type === "PodScheduled");
    if (sched?.status === "False" && sched.reason === "Unschedulable") return true;
    const idx = eventIndex(snap);
    if (STUCK_EVENTS.some((r) => idx.of("Pod", pod.metadata, r).length)) return true;
  }
  return pod.status?.phase === "Running" && probeFailure(snap, pod, now);
}
