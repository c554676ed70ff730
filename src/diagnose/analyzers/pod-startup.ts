/**
 * Pods that cannot start or keep crashing, with the cause: CreateContainerConfigError (which
 * ConfigMap/Secret/key is missing), ErrImagePull/ImagePullBackOff (which image, why),
 * CrashLoopBackOff (last termination: OOMKilled, or the exit code and the decisive log line of
 * the previous instance). One Finding per root cause: ten pods of a Deployment failing the same
 * way are one finding whose subject is the Deployment.
 */
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { stableId } from "../../core/ids.ts";
import type { Evidence, Finding, ObjectRef, Severity } from "../../core/types.ts";
import type { ClusterSnapshot, LogReader } from "../../sources/kubernetes/snapshot.ts";
import { owningWorkload, refKey } from "../owners.ts";
import {
  describeMissing,
  type MissingRef,
  missingRefs,
  parseConfigMessage,
} from "./config-refs.ts";

const SOURCE = "diagnose/pod-startup";
const LOG_LINES = 50;
const DECISIVE =
  /\b(fatal|panic|error|exception|fail(ed|ure)?|refused|denied|cannot|unable|killed)\b/i;

interface Problem {
  reason: string;
  causeKey: string;
  rootCause: string;
  severity: Severity;
  confidence: number;
  evidence: Evidence[];
  fix?: Finding["fix"];
}

function configProblem(snap: ClusterSnapshot, pod: V1Pod, cs: V1ContainerStatus): Problem {
  const ns = pod.metadata?.namespace ?? "";
  const message = cs.state?.waiting?.message ?? "";
  let missing: MissingRef[] = missingRefs(snap, pod, cs.name);
  const parsed = parseConfigMessage(message);
  if (!missing.length && parsed) missing = [{ ...parsed, usedBy: "" }];
  const evidence: Evidence[] = [
    {
      type: "status",
      text: `container ${cs.name} waiting: CreateContainerConfigError: ${message}`,
    },
  ];
  if (!missing.length) {
    return {
      reason: "CreateContainerConfigError",
      causeKey: message,
      rootCause: `container ${cs.name} cannot be configured: ${message}`,
      severity: "critical",
      confidence: 0.5,
      evidence,
    };
  }
  const texts = missing.map(
    (m) =>
      `${describeMissing(m, ns)}, referenced by ${m.usedBy ? `${m.usedBy} of ` : ""}container ${cs.name}`,
  );
  const first = missing[0] as MissingRef;
  return {
    reason: "CreateContainerConfigError",
    causeKey: missing.map((m) => `${m.kind}/${m.name}/${m.key ?? ""}`).join(","),
    rootCause: texts.join("; "),
    severity: "critical",
    confidence: 0.95,
    evidence,
    fix: {
      description: first.similar
        ? `create ${first.kind} ${first.name} or point the reference at "${first.similar}"`
        : `create ${first.kind} ${first.name}${first.key ? ` with key ${first.key}` : ""} in namespace ${ns}`,
      command:
        first.key === undefined
          ? `kubectl create ${first.kind.toLowerCase()} ${first.kind === "Secret" ? "generic " : ""}${first.name} -n ${ns} --from-literal=...`
          : undefined,
    },
  };
}

function imageProblem(cs: V1ContainerStatus): Problem {
  const w = cs.state?.waiting;
  return {
    reason: "ImagePullBackOff",
    causeKey: cs.image,
    rootCause: `image ${cs.image} of container ${cs.name} cannot be pulled: ${w?.message ?? w?.reason}`,
    severity: "critical",
    confidence: 0.9,
    evidence: [
      { type: "status", text: `container ${cs.name} waiting: ${w?.reason}: ${w?.message ?? ""}` },
    ],
    fix: {
      description: "fix the image name or tag, or add an imagePullSecret for a private registry",
    },
  };
}

export function decisiveLine(log: string): string | undefined {
  const lines = log
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-LOG_LINES);
  return [...lines].reverse().find((l) => DECISIVE.test(l)) ?? lines[lines.length - 1];
}

async function crashProblem(
  pod: V1Pod,
  cs: V1ContainerStatus,
  readLog?: LogReader,
): Promise<Problem> {
  const term = cs.lastState?.terminated ?? cs.state?.terminated;
  const evidence: Evidence[] = [
    {
      type: "status",
      text: `container ${cs.name}: ${cs.state?.waiting?.reason ?? "terminated"}, ${cs.restartCount} restarts, last exit ${term?.exitCode ?? "?"} (${term?.reason ?? "unknown"})`,
    },
  ];
  if (term?.reason === "OOMKilled") {
    const limit = [...(pod.spec?.containers ?? [])].find((c) => c.name === cs.name)?.resources
      ?.limits?.memory;
    return {
      reason: "OOMKilled",
      causeKey: "OOMKilled",
      rootCause: `container ${cs.name} is killed for exceeding its memory limit${limit ? ` of ${limit}` : ""} (OOMKilled, exit 137)`,
      severity: "critical",
      confidence: 0.95,
      evidence,
      fix: { description: "raise the memory limit or fix the memory growth" },
    };
  }
  const log = readLog
    ? await readLog(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", cs.name, {
        previous: true,
      }).catch(() => undefined)
    : undefined;
  const line = log ? decisiveLine(log) : undefined;
  if (line) evidence.push({ type: "log", text: line });
  const exit = `exits with code ${term?.exitCode ?? "?"}${term?.reason ? ` (${term.reason})` : ""}`;
  return {
    reason: "CrashLoopBackOff",
    causeKey: line ?? `exit ${term?.exitCode}`,
    rootCause: `container ${cs.name} ${exit}${line ? `: ${line}` : ""}`,
    severity: "critical",
    confidence: line ? 0.85 : 0.6,
    evidence,
    fix: {
      description: "fix the error the container logs before exiting",
      command: `kubectl logs ${pod.metadata?.name} -c ${cs.name} -n ${pod.metadata?.namespace} --previous`,
    },
  };
}

async function classify(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
  readLog?: LogReader,
): Promise<Problem | undefined> {
  const waiting = cs.state?.waiting?.reason;
  if (waiting === "CreateContainerConfigError") return configProblem(snap, pod, cs);
  if (
    waiting === "ImagePullBackOff" ||
    waiting === "ErrImagePull" ||
    waiting === "InvalidImageName"
  )
    return imageProblem(cs);
  if (waiting === "CrashLoopBackOff") return crashProblem(pod, cs, readLog);
  if (cs.lastState?.terminated?.reason === "OOMKilled" && (cs.restartCount ?? 0) > 0)
    return crashProblem(pod, cs, readLog);
  return undefined;
}

interface Group {
  subject: ObjectRef;
  problem: Problem;
  pods: ObjectRef[];
}

/** Analyzes every pod of the snapshot; `now` stamps the findings. */
export async function analyzePodStartup(
  snap: ClusterSnapshot,
  now: number,
  readLog?: LogReader,
): Promise<Finding[]> {
  const groups = new Map<string, Group>();
  for (const pod of snap.pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ];
    for (const cs of statuses) {
      const problem = await classify(snap, pod, cs, readLog);
      if (!problem) continue;
      const subject = owningWorkload(snap, pod.metadata);
      const key = `${problem.reason}/${refKey(subject)}/${problem.causeKey}`;
      const podRef = {
        kind: "Pod",
        namespace: pod.metadata?.namespace,
        name: pod.metadata?.name ?? "",
        uid: pod.metadata?.uid,
      };
      const g = groups.get(key) ?? { subject, problem, pods: [] };
      if (!g.pods.some((p) => p.name === podRef.name)) g.pods.push(podRef);
      groups.set(key, g);
    }
  }
  return [...groups.entries()].map(([key, g]) => toFinding(key, g, now));
}

function toFinding(key: string, g: Group, now: number): Finding {
  const p = g.problem;
  const many = g.pods.length > 1 ? ` (${g.pods.length} pods)` : "";
  return {
    id: stableId(key),
    kind: "problem",
    severity: p.severity,
    subject: g.subject,
    affected: g.pods,
    reason: p.reason,
    rootCause: `${p.rootCause}${many}`,
    evidence: p.evidence,
    fix: p.fix,
    confidence: p.confidence,
    source: SOURCE,
    time: now,
  };
}
