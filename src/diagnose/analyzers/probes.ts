/**
 * Running containers that fail their probes: readiness (the pod is taken out of its Services'
 * endpoints) and liveness kills that have not yet turned into CrashLoopBackOff (those are the
 * crash path's, in crash.ts). The evidence is the kubelet's `Unhealthy` event, whose message
 * carries the probe's output (prober.go: "Readiness probe failed: HTTP probe failed with
 * statuscode: 503"). Pod IPs in that output differ per pod and are masked so pods group.
 */
import type { CoreV1Event, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { Finding, ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { owningWorkload, refKey } from "../owners.ts";
import { eventEvidence, eventIndex, makeFinding, podRef } from "./common.ts";

export const PROBES = "diagnose/probes";

const IP = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

type Kind = "Readiness" | "Liveness";

function failing(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
): { kind: Kind; event: CoreV1Event } | undefined {
  if (!cs.state?.running) return undefined;
  const events = eventIndex(snap)
    .of("Pod", pod.metadata, "Unhealthy")
    .filter(
      (e) => !e.involvedObject.fieldPath || e.involvedObject.fieldPath.includes(`{${cs.name}}`),
    );
  const liveKilled = (cs.restartCount ?? 0) > 0 && cs.lastState?.terminated?.exitCode === 137;
  const live = events.find((e) => e.message?.startsWith("Liveness probe failed"));
  if (live && liveKilled) return { kind: "Liveness", event: live };
  const ready = events.find((e) => e.message?.startsWith("Readiness probe failed"));
  if (ready && cs.ready === false) return { kind: "Readiness", event: ready };
  return undefined;
}

export function probeFailure(snap: ClusterSnapshot, pod: V1Pod): boolean {
  return (pod.status?.containerStatuses ?? []).some((cs) => failing(snap, pod, cs));
}

export function analyzeProbes(snap: ClusterSnapshot, now: number): Finding[] {
  const groups = new Map<
    string,
    {
      subject: ObjectRef;
      pods: V1Pod[];
      kind: Kind;
      container: string;
      output: string;
      event: CoreV1Event;
    }
  >();
  for (const pod of snap.pods) {
    if (pod.status?.phase !== "Running" || pod.metadata?.deletionTimestamp) continue;
    for (const cs of pod.status.containerStatuses ?? []) {
      const f = failing(snap, pod, cs);
      if (!f) continue;
      const output = (f.event.message ?? "").replace(IP, "<pod-ip>");
      const subject = owningWorkload(snap, pod.metadata);
      const key = `${refKey(subject)}/${cs.name}/${f.kind}/${output}`;
      const g = groups.get(key) ?? {
        subject,
        pods: [],
        kind: f.kind,
        container: cs.name,
        output,
        event: f.event,
      };
      g.pods.push(pod);
      groups.set(key, g);
    }
  }
  return [...groups.entries()].map(([key, g]) => {
    const effect =
      g.kind === "Readiness"
        ? "is not ready and receives no Service traffic"
        : "is killed and restarted by the kubelet";
    const who = g.pods.length > 1 ? `${g.pods.length} pods` : `pod ${g.pods[0]?.metadata?.name}`;
    return makeFinding(
      {
        source: PROBES,
        key,
        subject: g.subject,
        affected: g.pods.map(podRef),
        reason: g.kind === "Readiness" ? "ReadinessProbeFailed" : "LivenessProbeFailed",
        rootCause: `the ${g.kind.toLowerCase()} probe of container ${g.container} fails (${g.output}), so it ${effect} (${who})`,
        evidence: [eventEvidence(g.event)],
        fix: {
          description: `check that the ${g.kind.toLowerCase()} probe's path/port match what container ${g.container} serves and that its dependencies are up; relax timeoutSeconds/failureThreshold if the endpoint is merely slow`,
          command: `kubectl describe pod ${g.pods[0]?.metadata?.name} -n ${g.pods[0]?.metadata?.namespace}`,
        },
        confidence: 0.85,
        severity: g.kind === "Liveness" ? "critical" : "warning",
      },
      now,
    );
  });
}
