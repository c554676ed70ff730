/**
 * Pods that cannot start or keep crashing, with the cause: CreateContainerConfigError and
 * FailedMount (which ConfigMap/Secret/key is missing), ErrImagePull/ImagePullBackOff (not found,
 * credentials, rate limit), CrashLoopBackOff (OOMKilled, or the exit
 * code and the decisive log line of the previous instance). One Finding per root cause: ten pods
 * of a Deployment failing the same way are one finding whose subject is the Deployment, and when
 * the Deployment's latest rollout introduced the failure the finding names that revision's change.
 */
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { Finding, ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot, LogReader } from "../../sources/kubernetes/snapshot.ts";
import { owningWorkload, refKey } from "../owners.ts";
import { makeFinding, type Problem, podRef } from "./common.ts";
import { configProblem, mountProblem } from "./config-problem.ts";
import { crashProblem } from "./crash.ts";
import { diagnosePull } from "./image-pull.ts";
import { probeKill } from "./probes.ts";
import { attributeToOrdinals, attributeToRollout } from "./rollout-cause.ts";

export const POD_STARTUP = "diagnose/pod-startup";

const PULL_REASONS = new Set([
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "ErrImageNeverPull",
]);
const OTHER_WAITING = new Set([
  "CreateContainerError",
  "RunContainerError",
  "PreStartHookError",
  "PostStartHookError",
  "ImageInspectError",
]);

function imageProblem(snap: ClusterSnapshot, pod: V1Pod, cs: V1ContainerStatus): Problem {
  const d = diagnosePull(snap, pod, cs);
  return {
    reason: "ImagePullBackOff",
    causeKey: `${cs.image}/${d.cause}`,
    rootCause: d.rootCause,
    severity: "critical",
    confidence: d.cause === "unknown" ? 0.6 : 0.9,
    evidence: d.evidence,
    fix: {
      description: d.fix,
      ...(d.runningTag
        ? {
            patch: {
              spec: {
                template: {
                  spec: {
                    containers: [
                      {
                        name: cs.name,
                        image: `${cs.image.replace(/[:@][^:/@]+$/, "")}:${d.runningTag}`,
                      },
                    ],
                  },
                },
              },
            },
          }
        : {}),
    },
  };
}

/** The pod-level problem of one container, if it has one. */
export async function classifyContainer(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
  readLog?: LogReader,
): Promise<Problem | undefined> {
  const waiting = cs.state?.waiting?.reason;
  if (waiting === "CreateContainerConfigError") return configProblem(snap, pod, cs);
  if (waiting && PULL_REASONS.has(waiting)) return imageProblem(snap, pod, cs);
  // Probe kills are the probes analyzer's (the container is healthy until the kubelet kills it).
  if (probeKill(snap, pod, cs)) return undefined;
  if (waiting === "CrashLoopBackOff") return crashProblem(snap, pod, cs, readLog);
  if (waiting && OTHER_WAITING.has(waiting)) {
    return {
      reason: waiting,
      causeKey: cs.state?.waiting?.message ?? "",
      rootCause: `container ${cs.name} cannot start: ${cs.state?.waiting?.message ?? waiting}`,
      severity: "critical",
      confidence: 0.6,
      evidence: [{ type: "status", text: `container ${cs.name} waiting: ${waiting}` }],
    };
  }
  if (cs.lastState?.terminated?.reason === "OOMKilled" && (cs.restartCount ?? 0) > 0)
    return crashProblem(snap, pod, cs, readLog);
  return undefined;
}

/** A pod that ran to failure and is not restarted (restartPolicy Never, not a Job's: jobs.ts). */
async function failedPodProblems(snap: ClusterSnapshot, pod: V1Pod, readLog?: LogReader) {
  const out: Problem[] = [];
  for (const cs of pod.status?.containerStatuses ?? []) {
    if ((cs.state?.terminated?.exitCode ?? 0) === 0) continue;
    out.push(await crashProblem(snap, pod, cs, readLog, { previous: false, reason: "PodFailed" }));
  }
  return out;
}

async function podProblems(snap: ClusterSnapshot, pod: V1Pod, readLog?: LogReader) {
  if (pod.status?.phase === "Failed") {
    const byJob = pod.metadata?.ownerReferences?.some((o) => o.kind === "Job");
    // A status.reason (Evicted, NodeShutdown, OutOfcpu...) means the kubelet ended the pod: the nodes analyzer's.
    return pod.status.reason || byJob ? [] : failedPodProblems(snap, pod, readLog);
  }
  const out: Problem[] = [];
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  const creating =
    statuses.length > 0 && statuses.every((c) => c.state?.waiting?.reason === "ContainerCreating");
  if (pod.status?.phase === "Pending" && (creating || !statuses.length) && pod.spec?.nodeName) {
    const mount = mountProblem(snap, pod);
    if (mount) out.push(mount);
  }
  for (const cs of statuses) {
    const p = await classifyContainer(snap, pod, cs, readLog);
    if (p) out.push(p);
  }
  return out;
}

/**
 * One log read per workload container and image: replicas of one template crash the same way,
 * and reading every pod's log would make a 50-replica crash loop cost 50 API calls per cycle.
 * The total per diagnosis is bounded by diagnose()'s log budget (log-budget.ts).
 */
function sharedLogReader(snap: ClusterSnapshot, readLog?: LogReader): LogReader | undefined {
  if (!readLog) return undefined;
  const pods = new Map(snap.pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
  const cache = new Map<string, Promise<string | undefined>>();
  return (ns, name, container, opts) => {
    const pod = pods.get(`${ns}/${name}`);
    const image = [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].find(
      (c) => c.name === container,
    )?.image;
    const key = `${refKey(owningWorkload(snap, pod?.metadata))}/${container}/${image}/${opts.previous}`;
    let log = cache.get(key);
    if (!log) {
      log = readLog(ns, name, container, opts);
      cache.set(key, log);
    }
    return log;
  };
}

interface Group {
  subject: ObjectRef;
  problem: Problem;
  pods: V1Pod[];
}

/** Analyzes every pod of the snapshot; `now` stamps the findings. */
export async function analyzePodStartup(
  snap: ClusterSnapshot,
  now: number,
  readLog?: LogReader,
): Promise<Finding[]> {
  const groups = new Map<string, Group>();
  const logs = sharedLogReader(snap, readLog);
  for (const pod of snap.pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    for (const problem of await podProblems(snap, pod, logs)) {
      const subject = owningWorkload(snap, pod.metadata);
      const key = `${problem.reason}/${refKey(subject)}/${problem.causeKey}`;
      const g = groups.get(key) ?? { subject, problem, pods: [] };
      if (!g.pods.includes(pod)) g.pods.push(pod);
      groups.set(key, g);
    }
  }
  return [...groups.entries()].map(([key, g]) => toFinding(snap, key, g, now));
}

function toFinding(snap: ClusterSnapshot, key: string, g: Group, now: number): Finding {
  const p = attributeToOrdinals(
    snap,
    g.subject,
    attributeToRollout(snap, g.subject, g.pods, g.problem),
  );
  const many = g.pods.length > 1 ? ` (${g.pods.length} pods)` : "";
  return makeFinding(
    {
      source: POD_STARTUP,
      key,
      subject: g.subject,
      affected: g.pods.map(podRef),
      reason: p.reason,
      rootCause: `${p.rootCause}${many}`,
      evidence: p.evidence,
      fix: p.fix,
      confidence: p.confidence,
      severity: p.severity,
    },
    now,
  );
}
