/**
 * Pods the scheduler cannot place (PodScheduled=False, reason Unschedulable), with the FitError
 * decoded into counts per reason and turned into the cause: a request larger than any node, a
 * full cluster, a selector that admits only tainted nodes, labels no node has, cordoned nodes, or
 * an unbound claim followed to its StorageClass. The PVC itself is the PVC analyzer's subject;
 * this finding is about the workload that waits for it.
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { Finding, ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { owningWorkload, refKey } from "../owners.ts";
import { eventIndex, makeFinding, podRef, timeOf } from "./common.ts";
import { similarName } from "./config-refs.ts";
import {
  allocatable,
  formatAmount,
  formatTaint,
  hasNodeConstraints,
  nodeAdmits,
  podRequest,
  untoleratedTaints,
} from "./node-fit.ts";
import { decodeFitError, type SchedulingFailure } from "./scheduling-message.ts";

export const PENDING = "diagnose/pending";

interface Cause {
  text: string;
  fix?: string;
  patch?: unknown;
}

function claimCause(snap: ClusterSnapshot, pod: V1Pod): Cause[] {
  const ns = pod.metadata?.namespace;
  const out: Cause[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const name = v.persistentVolumeClaim?.claimName;
    if (!name) continue;
    const pvc = snap.persistentVolumeClaims.find(
      (c) => c.metadata?.namespace === ns && c.metadata?.name === name,
    );
    if (!pvc) {
      out.push({
        text: `PersistentVolumeClaim ${name} does not exist`,
        fix: `create PersistentVolumeClaim ${name} in ${ns}`,
      });
      continue;
    }
    if (pvc.status?.phase === "Bound") continue;
    const sc = pvc.spec?.storageClassName;
    const classes = snap.storageClasses.map((s) => s.metadata?.name ?? "");
    if (sc && !classes.includes(sc)) {
      const like = similarName(sc, classes) ?? (classes.length === 1 ? classes[0] : undefined);
      const others = like
        ? ` (${like} does)`
        : classes.length
          ? ` (existing: ${classes.join(", ")})`
          : "";
      out.push({
        text: `PersistentVolumeClaim ${name} is unbound because its StorageClass ${sc} does not exist${others}`,
        fix: `recreate claim ${name} with an existing storageClassName${like ? ` such as ${like}` : ""} (the field is immutable) or create StorageClass ${sc}`,
      });
    } else if (
      !sc &&
      !snap.storageClasses.some(
        (s) => s.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
      )
    ) {
      out.push({
        text: `PersistentVolumeClaim ${name} names no StorageClass and the cluster has no default one`,
        fix: "set storageClassName on the claim or mark a StorageClass as default",
      });
    } else {
      out.push({
        text: `PersistentVolumeClaim ${name} is not bound yet (StorageClass ${sc ?? "default"})`,
      });
    }
  }
  return out;
}

function placementCause(snap: ClusterSnapshot, pod: V1Pod): Cause | undefined {
  const admitted = snap.nodes.filter((n) => nodeAdmits(pod, n));
  if (hasNodeConstraints(pod) && admitted.length === 0) {
    const sel = Object.entries(pod.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
    return {
      text: `no node has the labels its node selector/affinity requires${sel.length ? ` (${sel.join(", ")})` : ""}`,
      fix: "fix the nodeSelector/affinity or label a node accordingly",
    };
  }
  const tainted = admitted.map((n) => ({ n, t: untoleratedTaints(pod, n) }));
  if (!tainted.length || !tainted.every((x) => x.t.length)) return undefined;
  const taints = [...new Set(tainted.flatMap((x) => x.t.map(formatTaint)))];
  const where = hasNodeConstraints(pod)
    ? `its node selector/affinity admits only ${admitted.map((n) => n.metadata?.name).join(", ")}, whose taint ${taints.join(", ")} it does not tolerate`
    : `every node has a taint it does not tolerate (${taints.join(", ")})`;
  const t = tainted[0]?.t[0];
  return {
    text: where,
    fix: `add a toleration for ${taints[0]} or change the node selector`,
    patch: t
      ? {
          spec: {
            template: {
              spec: {
                tolerations: [{ key: t.key, operator: "Equal", value: t.value, effect: t.effect }],
              },
            },
          },
        }
      : undefined,
  };
}

function resourceCause(snap: ClusterSnapshot, pod: V1Pod, resource: string, count: number): Cause {
  const req = podRequest(pod, resource);
  const candidates = snap.nodes.filter(
    (n) => nodeAdmits(pod, n) && !untoleratedTaints(pod, n).length,
  );
  const max = Math.max(
    0,
    ...(candidates.length ? candidates : snap.nodes).map((n) => allocatable(n, resource)),
  );
  if (req > max)
    return {
      text: `it requests ${formatAmount(resource, req)} ${resource} but no node has more than ${formatAmount(resource, max)} allocatable`,
      fix: `lower the ${resource} request to fit a node (at most ${formatAmount(resource, max)}) or add a node pool with larger nodes`,
    };
  return {
    text: `${count} node(s) lack free ${resource} for its request of ${formatAmount(resource, req)} (the cluster is full)`,
    fix: "add capacity (nodes or a cluster autoscaler) or lower the requests of this or other workloads",
  };
}

/**
 * cluster-autoscaler's verdict on the pod (its TriggeredScaleUp / NotTriggerScaleUp events):
 * a node on its way makes the wait expected; "max node group size reached" is the real cause.
 */
function autoscalerCause(snap: ClusterSnapshot, pod: V1Pod): Cause | undefined {
  const idx = eventIndex(snap);
  const up = idx.of("Pod", pod.metadata, "TriggeredScaleUp")[0];
  const no = idx.of("Pod", pod.metadata, "NotTriggerScaleUp")[0];
  if (up && (!no || (timeOf(up.lastTimestamp) ?? 0) >= (timeOf(no.lastTimestamp) ?? 0)))
    return {
      text: `the cluster autoscaler is adding a node (${up.message ?? "TriggeredScaleUp"})`,
    };
  if (no)
    return {
      text: `the cluster autoscaler will not add a node: ${no.message ?? ""}`,
      fix: "raise the node group's maximum size or add a node group that fits the pod",
    };
  return undefined;
}

function explain(snap: ClusterSnapshot, pod: V1Pod, f: SchedulingFailure): Cause[] {
  const causes: Cause[] = [];
  const reasons = f.reasons.map((r) => r.reason);
  if (reasons.some((r) => /PersistentVolumeClaim|persistentvolumeclaim/.test(r)))
    causes.push(...claimCause(snap, pod));
  if (f.reasons.some((r) => r.taint || /affinity\/selector/.test(r.reason))) {
    const p = placementCause(snap, pod);
    if (p) causes.push(p);
  }
  for (const r of f.reasons) {
    if (r.insufficient) causes.push(resourceCause(snap, pod, r.insufficient, r.count ?? f.nodes));
    else if (/were unschedulable/.test(r.reason))
      causes.push({
        text: `${r.count} node(s) are cordoned`,
        fix: "uncordon the nodes or add capacity",
      });
    else if (r.reason === "Too many pods")
      causes.push({
        text: `${r.count} node(s) are at their pod limit`,
        fix: "add nodes or raise maxPods",
      });
    else if (/anti-affinity/.test(r.reason))
      causes.push({
        text: `${r.count} node(s) already run a pod its required anti-affinity excludes (more replicas than eligible nodes/zones)`,
        fix: "use preferredDuringScheduling anti-affinity, lower the replicas or add nodes in more zones",
      });
    else if (/topology spread/.test(r.reason))
      causes.push({
        text: `${r.count} node(s) would break its topologySpreadConstraints (maxSkew with whenUnsatisfiable: DoNotSchedule)`,
        fix: "raise maxSkew, use whenUnsatisfiable: ScheduleAnyway, or add nodes in the under-filled zones",
      });
  }
  if (!causes.length) causes.push({ text: f.reasons.map((r) => r.reason).join(", ") });
  const scaler = autoscalerCause(snap, pod);
  if (scaler) causes.push(scaler);
  return causes;
}

function patchOf(causes: Cause[]): unknown {
  return causes.find((c) => c.patch)?.patch;
}

function summary(f: SchedulingFailure): string {
  return `0/${f.nodes} nodes available: ${f.reasons.map((r) => (r.count !== undefined ? `${r.count} ${r.reason}` : r.reason)).join(", ")}`;
}

/** Gates are removed by the controller that added them (a queue such as Kueue); long waits are worth a look. */
const GATED_AFTER_MS = 10 * 60_000;

function gatedFinding(snap: ClusterSnapshot, pods: V1Pod[], now: number): Finding[] {
  const groups = new Map<string, { subject: ObjectRef; pods: V1Pod[]; gates: string[] }>();
  for (const pod of pods) {
    const gates = (pod.spec?.schedulingGates ?? []).map((g) => g.name).sort();
    const since = timeOf(pod.metadata?.creationTimestamp) ?? now;
    if (!gates.length || now - since < GATED_AFTER_MS) continue;
    const subject = owningWorkload(snap, pod.metadata);
    const key = `${refKey(subject)}/${gates.join(",")}`;
    const g = groups.get(key) ?? { subject, pods: [], gates };
    g.pods.push(pod);
    groups.set(key, g);
  }
  return [...groups.entries()].map(([key, g]) =>
    makeFinding(
      {
        source: PENDING,
        key,
        subject: g.subject,
        affected: g.pods.map(podRef),
        reason: "SchedulingGated",
        rootCause: `${g.pods.length} pod(s) wait for scheduling gate(s) ${g.gates.join(", ")} that nothing has removed for over ${GATED_AFTER_MS / 60_000} min`,
        evidence: [{ type: "object", text: `spec.schedulingGates: ${g.gates.join(", ")}` }],
        fix: {
          description:
            "check the controller that owns the gate (e.g. the job queue admitting the workload), or remove the gate",
        },
        confidence: 0.6,
        severity: "warning",
      },
      now,
    ),
  );
}

export function analyzePending(snap: ClusterSnapshot, now: number): Finding[] {
  const groups = new Map<
    string,
    { subject: ObjectRef; pods: V1Pod[]; causes: Cause[]; message: string; f: SchedulingFailure }
  >();
  const gated: V1Pod[] = [];
  for (const pod of snap.pods) {
    if (pod.status?.phase !== "Pending" || pod.spec?.nodeName || pod.metadata?.deletionTimestamp)
      continue;
    const cond = pod.status.conditions?.find((c) => c.type === "PodScheduled");
    if (cond?.reason === "SchedulingGated" || pod.spec?.schedulingGates?.length) gated.push(pod);
    if (cond?.status !== "False" || cond.reason !== "Unschedulable") continue;
    const f = decodeFitError(cond.message ?? "");
    if (!f) continue;
    const causes = explain(snap, pod, f);
    const subject = owningWorkload(snap, pod.metadata);
    // Node counts change as the cluster does; the cause stays the same finding.
    const key = `${refKey(subject)}/${causes.map((c) => c.text.replace(/\d+/g, "#")).join(";")}`;
    const g = groups.get(key) ?? { subject, pods: [], causes, message: cond.message ?? "", f };
    g.pods.push(pod);
    groups.set(key, g);
  }
  const unschedulable = [...groups.entries()].map(([key, g]) => {
    const first = g.causes.find((c) => c.fix);
    return makeFinding(
      {
        source: PENDING,
        key,
        subject: g.subject,
        affected: g.pods.map(podRef),
        reason: "FailedScheduling",
        rootCause: `${g.pods.length > 1 ? `${g.pods.length} pods cannot` : "the pod cannot"} be scheduled: ${g.causes.map((c) => c.text).join("; ")} (${summary(g.f)})`,
        evidence: [
          { type: "status", text: `PodScheduled=False Unschedulable: ${g.message}`, data: g.f },
        ],
        fix: first
          ? {
              description: g.causes
                .map((c) => c.fix)
                .filter(Boolean)
                .join("; "),
              ...(patchOf(g.causes) ? { patch: patchOf(g.causes) } : {}),
            }
          : undefined,
        confidence: g.causes.length && g.causes[0]?.fix ? 0.9 : 0.7,
        severity: g.causes.some((c) => c.text.startsWith("the cluster autoscaler is adding"))
          ? "info"
          : "critical",
      },
      now,
    );
  });
  return [...unschedulable, ...gatedFinding(snap, gated, now)];
}
