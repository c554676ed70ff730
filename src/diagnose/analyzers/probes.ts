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
import { eventEvidence, eventIndex, makeFinding, podRef, timeOf } from "./common.ts";

export const PROBES = "diagnose/probes";

const IP = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

type Kind = "Readiness" | "Liveness" | "Startup";

function forContainer(e: CoreV1Event, name: string): boolean {
  return !e.involvedObject.fieldPath || e.involvedObject.fieldPath.includes(`{${name}}`);
}

/**
 * A container the kubelet killed for a failing liveness/startup probe ("Container x failed
 * liveness probe, will be restarted"): its restarts, and the CrashLoopBackOff they lead to, are
 * the probe's doing, so this analyzer (not the crash path) owns them.
 */
export function probeKill(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
): { kind: Kind; event: CoreV1Event } | undefined {
  // The kill is SIGTERM then SIGKILL: an app that handles SIGTERM exits 0 or 143, not only 137.
  if (!(cs.restartCount ?? 0) || !cs.lastState?.terminated) return undefined;
  const events = eventIndex(snap)
    .of("Pod", pod.metadata)
    .filter((e) => forContainer(e, cs.name));
  const kill = events.find(
    (e) =>
      e.reason === "Killing" &&
      new RegExp(`^Container ${cs.name} failed (liveness|startup) probe`).test(e.message ?? ""),
  );
  if (!kill) return undefined;
  const kind: Kind = /startup probe/.test(kill.message ?? "") ? "Startup" : "Liveness";
  const unhealthy = events.find(
    (e) => e.reason === "Unhealthy" && e.message?.startsWith(`${kind} probe failed`),
  );
  return { kind, event: unhealthy ?? kill };
}

/**
 * Readiness commonly fails while an application warms up (a JVM, a cache fill): only a container
 * that has been running this long and is still not ready has a problem.
 */
const WARM_UP_MS = 2 * 60_000;

function failing(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
  now: number,
): { kind: Kind; event: CoreV1Event } | undefined {
  const killed = probeKill(snap, pod, cs);
  if (killed) return killed;
  if (!cs.state?.running || cs.ready !== false) return undefined;
  if (now - (timeOf(cs.state.running.startedAt) ?? now) < WARM_UP_MS) return undefined;
  const ready = eventIndex(snap)
    .of("Pod", pod.metadata, "Unhealthy")
    .find((e) => forContainer(e, cs.name) && e.message?.startsWith("Readiness probe failed"));
  return ready ? { kind: "Readiness", event: ready } : undefined;
}

export function probeFailure(snap: ClusterSnapshot, pod: V1Pod, now: number): boolean {
  return (pod.status?.containerStatuses ?? []).some((cs) => failing(snap, pod, cs, now));
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
    // Running covers CrashLoopBackOff too: the phase stays Running while a container restarts.
    for (const cs of pod.status.containerStatuses ?? []) {
      const f = failing(snap, pod, cs, now);
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
        reason: `${g.kind}ProbeFailed`,
        rootCause: `the ${g.kind.toLowerCase()} probe of container ${g.container} fails (${g.output}), so it ${effect} (${who})`,
        evidence: [eventEvidence(g.event)],
        fix: {
          description: `check that the ${g.kind.toLowerCase()} probe's path/port match what container ${g.container} serves and that its dependencies are up; relax timeoutSeconds/failureThreshold if the endpoint is merely slow`,
          command: `kubectl describe pod ${g.pods[0]?.metadata?.name} -n ${g.pods[0]?.metadata?.namespace}`,
        },
        confidence: 0.85,
        severity: g.kind === "Readiness" ? "warning" : "critical",
      },
      now,
    );
  });
}
