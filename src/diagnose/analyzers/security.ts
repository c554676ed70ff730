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

export function securityIssues(spec: V1PodSpec | undefined): {
  privilege: string[];
  limits: string[];
} {
  const privilege: string[] = [];
  const limits: string[] = [];
  if (!spec) return { privilege, limits };
  for (const [flag, on] of [
    ["hostNetwork", spec.hostNetwork],
    ["hostPID", spec.hostPID],
    ["hostIPC", spec.hostIPC],
  ] as const)
    if (on) privilege.push(`uses ${flag}`);
  for (const v of spec.volumes ?? [])
    if (v.hostPath) privilege.push(`mounts hostPath ${v.hostPath.path} (volume ${v.name})`);
  if (spec.securityContext?.runAsUser === 0) privilege.push("pod runs as root (runAsUser 0)");
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext;
    if (sc?.privileged) privilege.push(`container ${c.name} is privileged`);
    if (sc?.runAsUser === 0) privilege.push(`container ${c.name} runs as root (runAsUser 0)`);
    if (sc?.allowPrivilegeEscalation === true && !sc.privileged)
      privilege.push(`container ${c.name} allows privilege escalation`);
    const caps = (sc?.capabilities?.add ?? []).filter((x) =>
      ["SYS_ADMIN", "NET_ADMIN", "ALL"].includes(x),
    );
    if (caps.length) privilege.push(`container ${c.name} adds capability ${caps.join(",")}`);
  }
  for (const c of spec.containers)
    if (!c.resources?.limits?.memory) limits.push(`container ${c.name} has no memory limit`);
  return { privilege, limits };
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
