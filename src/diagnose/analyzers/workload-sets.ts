/**
 * StatefulSets and DaemonSets. A StatefulSet with podManagementPolicy OrderedReady creates
 * ordinal N+1 only once N is Ready, so the first ordinal that is missing or not ready is the
 * cause for all the ordinals after it. Its governing Service (spec.serviceName) must exist for
 * the pods' stable DNS names. A DaemonSet reports misscheduled pods (running where its node
 * selector/tolerations no longer admit them) and unavailable ones in its status.
 */
import type { V1DaemonSet, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import type { Evidence, Finding } from "../../core/types.ts";
import { refKey } from "../owners.ts";
import { eventEvidence, eventIndex, refOf, timeOf } from "./common.ts";
import { GRACE_MS, type WorkloadContext, workloadFinding } from "./workload-context.ts";

function old(w: WorkloadContext, created: Date | string | undefined): boolean {
  return w.now - (timeOf(created) ?? w.now) >= GRACE_MS;
}

function warnings(w: WorkloadContext, kind: string, obj: V1StatefulSet | V1DaemonSet): Evidence[] {
  return eventIndex(w.snap)
    .of(kind, obj.metadata)
    .filter((e) => e.type === "Warning")
    .slice(0, 2)
    .map(eventEvidence);
}

function missingService(w: WorkloadContext, s: V1StatefulSet): Finding | undefined {
  const svc = s.spec?.serviceName;
  if (!svc) return undefined;
  const ns = s.metadata?.namespace;
  if (w.snap.services.some((x) => x.metadata?.namespace === ns && x.metadata?.name === svc))
    return undefined;
  return workloadFinding(
    w,
    refOf("StatefulSet", s.metadata),
    "MissingGoverningService",
    `StatefulSet ${ns}/${s.metadata?.name} names serviceName ${svc}, which does not exist, so its pods get no stable DNS names (${s.metadata?.name}-0.${svc})`,
    [{ type: "object", text: `spec.serviceName: ${svc}` }],
    {
      description: `create a headless Service ${svc} (clusterIP: None) selecting the StatefulSet's pods`,
    },
    "warning",
  );
}

function firstBlocked(s: V1StatefulSet, pods: V1Pod[]): string | undefined {
  const name = s.metadata?.name ?? "";
  const want = s.spec?.replicas ?? 1;
  for (let i = 0; i < want; i++) {
    const pod = pods.find((p) => p.metadata?.name === `${name}-${i}`);
    if (!pod) return `pod ${name}-${i} has not been created`;
    const ready = pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    if (!ready) {
      const ordered = (s.spec?.podManagementPolicy ?? "OrderedReady") === "OrderedReady";
      const rest =
        want - 1 === i + 1 ? `${name}-${i + 1}` : `${name}-${i + 1}..${name}-${want - 1}`;
      const held = ordered && i + 1 < want ? `; OrderedReady holds back ${rest}` : "";
      return `pod ${name}-${i} is not Ready (phase ${pod.status?.phase ?? "unknown"})${held}`;
    }
  }
  return undefined;
}

function statefulSetFinding(w: WorkloadContext, s: V1StatefulSet): Finding | undefined {
  const subject = refOf("StatefulSet", s.metadata);
  if (w.explained.has(refKey(subject))) return undefined;
  const want = s.spec?.replicas ?? 1;
  const ready = s.status?.readyReplicas ?? 0;
  if (ready >= want || !old(w, s.metadata?.creationTimestamp)) return undefined;
  const blocked = firstBlocked(s, w.pods.get(refKey(subject)) ?? []);
  if (!blocked) return undefined;
  const evidence = warnings(w, "StatefulSet", s);
  const why = evidence[0] ? `: ${evidence[0].text}` : "";
  return workloadFinding(
    w,
    subject,
    "StatefulSetNotReady",
    `StatefulSet ${subject.namespace}/${subject.name} has ${ready}/${want} ready replicas: ${blocked}${why}`,
    [
      {
        type: "status",
        text: `readyReplicas ${ready}/${want}, currentRevision ${s.status?.currentRevision ?? "?"}, updateRevision ${s.status?.updateRevision ?? "?"}`,
      },
      ...evidence,
    ],
    {
      description: "look at the first blocked ordinal's pod and events",
      command: `kubectl describe statefulset ${subject.name} -n ${subject.namespace}`,
    },
  );
}

export function analyzeStatefulSets(w: WorkloadContext): Finding[] {
  const out: Finding[] = [];
  for (const s of w.snap.statefulSets) {
    const svc = missingService(w, s);
    if (svc) out.push(svc);
    const f = statefulSetFinding(w, s);
    if (f) out.push(f);
  }
  return out;
}

function daemonSetFinding(w: WorkloadContext, d: V1DaemonSet): Finding | undefined {
  const subject = refOf("DaemonSet", d.metadata);
  const st = d.status;
  const name = `${subject.namespace}/${subject.name}`;
  if (st?.numberMisscheduled) {
    return workloadFinding(
      w,
      subject,
      "MisscheduledDaemonPods",
      `${st.numberMisscheduled} pod(s) of DaemonSet ${name} run on nodes its node selector/affinity/tolerations no longer admit`,
      [{ type: "status", text: `numberMisscheduled ${st.numberMisscheduled}` }],
      {
        description:
          "fix the DaemonSet's nodeSelector/tolerations or the node labels/taints that changed",
      },
      "warning",
    );
  }
  if (w.explained.has(refKey(subject)) || !st || !old(w, d.metadata?.creationTimestamp))
    return undefined;
  const unavailable =
    st.numberUnavailable ?? Math.max(0, st.desiredNumberScheduled - (st.numberAvailable ?? 0));
  if (!unavailable) return undefined;
  const evidence = warnings(w, "DaemonSet", d);
  return workloadFinding(
    w,
    subject,
    "DaemonSetUnavailable",
    `${unavailable} of ${st.desiredNumberScheduled} pods of DaemonSet ${name} are unavailable${evidence[0] ? `: ${evidence[0].text}` : ""}`,
    [
      {
        type: "status",
        text: `desired ${st.desiredNumberScheduled}, current ${st.currentNumberScheduled}, ready ${st.numberReady}, available ${st.numberAvailable ?? 0}`,
      },
      ...evidence,
    ],
    {
      description: "look at the unavailable daemon pods and their nodes",
      command: `kubectl describe daemonset ${subject.name} -n ${subject.namespace}`,
    },
  );
}

export function analyzeDaemonSets(w: WorkloadContext): Finding[] {
  return w.snap.daemonSets.map((d) => daemonSetFinding(w, d)).filter((f): f is Finding => !!f);
}
