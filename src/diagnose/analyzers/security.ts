/**
 * Security misconfiguration, one finding per workload listing every issue of its pod template:
 * privileged containers, host namespaces, hostPath volumes, running as root (runAsUser 0 set
 * explicitly: an image's default user cannot be seen from the API, so an unset user is not
 * guessed at), allowPrivilegeEscalation true, and containers without a memory limit (a leak can
 * then take the whole node). No CPU limit is deliberately not an issue (throttling hurts more than
 * it protects). kube-system is skipped: CNI, CSI and proxy daemons need these rights by design.
 * Warning when any privilege issue is present, info when only limits are missing.
 * Opt out with `--filter` (any list without "security").
 */
import type { V1PodSpec } from "@kubernetes/client-node";
import type { Finding, ObjectRef } from "../../core/types.ts";
import { podSpecIssues } from "../../scan/pod-checks.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { makeFinding, refOf } from "./common.ts";

const SOURCE = "diagnose/security";
const SKIP = new Set(["kube-system"]);

interface Workload {
  ref: ObjectRef;
  spec: V1PodSpec | undefined;
}

function workloads(snap: ClusterSnapshot): Workload[] {
  const out: Workload[] = [];
  const add = (
    kind: string,
    list: { metadata?: object; spec?: { template?: { spec?: V1PodSpec } } }[],
  ) => {
    for (const o of list) out.push({ ref: refOf(kind, o.metadata), spec: o.spec?.template?.spec });
  };
  add("Deployment", snap.deployments);
  add("StatefulSet", snap.statefulSets);
  add("DaemonSet", snap.daemonSets);
  for (const cj of snap.cronJobs)
    out.push({
      ref: refOf("CronJob", cj.metadata),
      spec: cj.spec?.jobTemplate?.spec?.template?.spec,
    });
  // Jobs of a CronJob and ReplicaSets/pods of a workload are judged through their owner's template.
  add(
    "Job",
    snap.jobs.filter((j) => !j.metadata?.ownerReferences?.length),
  );
  for (const p of snap.pods)
    if (!p.metadata?.ownerReferences?.length)
      out.push({ ref: refOf("Pod", p.metadata), spec: p.spec });
  return out;
}

/** What the spec explicitly asks for (scan's pod checks, explicit ones only) and missing memory limits. */
export function securityIssues(spec: V1PodSpec | undefined): {
  privilege: string[];
  limits: string[];
} {
  const issues = spec ? podSpecIssues(spec) : [];
  return {
    privilege: issues.filter((i) => i.explicit).map((i) => i.message),
    limits: issues.filter((i) => i.rule === "no-memory-limit").map((i) => i.message),
  };
}

export function analyzeSecurity(snap: ClusterSnapshot, now: number): Finding[] {
  const out: Finding[] = [];
  for (const w of workloads(snap)) {
    if (SKIP.has(w.ref.namespace ?? "")) continue;
    const { privilege, limits } = securityIssues(w.spec);
    const all = [...privilege, ...limits];
    if (!all.length) continue;
    out.push(
      makeFinding(
        {
          source: SOURCE,
          key: all.join(";"),
          subject: w.ref,
          affected: [],
          reason: privilege.length ? "InsecurePodSpec" : "NoMemoryLimit",
          rootCause: `${w.ref.kind} ${w.ref.namespace ? `${w.ref.namespace}/` : ""}${w.ref.name}: ${all.join("; ")}`,
          evidence: all.map((text) => ({ type: "object" as const, text })),
          fix: {
            description: [
              privilege.length
                ? "drop the host access and privileges the app does not need (securityContext: runAsNonRoot, privileged false, allowPrivilegeEscalation false)"
                : "",
              limits.length
                ? "set resources.limits.memory on every container (from observed peak usage)"
                : "",
            ]
              .filter(Boolean)
              .join("; "),
          },
          confidence: 0.9,
          severity: privilege.length ? "warning" : "info",
        },
        now,
      ),
    );
  }
  return out;
}
