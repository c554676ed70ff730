/**
 * Node health from the conditions the kubelet and the node lifecycle controller own: Ready
 * (False/Unknown), MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable — and nothing
 * else: other condition types come from node-problem-detector or cloud agents with their own
 * polarity (EKS' AcceleratedHardwareReady=True is healthy), and reporting them is k8sgpt's
 * best-known false positive. Pods the kubelet evicted are folded into the pressure that caused
 * them (one root cause: the node ran low on a resource), with the pods as `affected`.
 */
import type { V1Node, V1NodeCondition, V1Pod } from "@kubernetes/client-node";
import type { Evidence, Finding, ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { eventEvidence, eventIndex, makeFinding, podRef, refOf, timeOf } from "./common.ts";

export const NODES = "diagnose/nodes";

/** Evictions older than this are history, not a current problem. */
const EVICTION_WINDOW_MS = 60 * 60_000;

const PRESSURE: Record<string, { resource: string; what: string }> = {
  MemoryPressure: { resource: "memory", what: "is low on memory" },
  DiskPressure: { resource: "ephemeral-storage", what: "is low on disk (nodefs/imagefs)" },
  PIDPressure: { resource: "pids", what: "is running out of process IDs" },
};

function condition(node: V1Node, type: string): V1NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

function podsOn(snap: ClusterSnapshot, node: string): V1Pod[] {
  return snap.pods.filter(
    (p) =>
      p.spec?.nodeName === node && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
  );
}

function evictedOn(snap: ClusterSnapshot, node: string, now: number): V1Pod[] {
  return snap.pods.filter((p) => {
    if (p.spec?.nodeName !== node || p.status?.reason !== "Evicted") return false;
    const at =
      timeOf(p.status.conditions?.find((c) => c.type === "DisruptionTarget")?.lastTransitionTime) ??
      timeOf(p.status.startTime) ??
      now;
    return now - at < EVICTION_WINDOW_MS;
  });
}

/** "The node was low on resource: ephemeral-storage. ..." (eviction manager's message). */
function evictedResource(pod: V1Pod): string | undefined {
  return /low on resource: ([\w-]+)/.exec(pod.status?.message ?? "")?.[1];
}

function since(c: V1NodeCondition): string {
  const t = timeOf(c.lastTransitionTime);
  return t ? ` since ${new Date(t).toISOString()}` : "";
}

function notReady(
  snap: ClusterSnapshot,
  node: V1Node,
  ready: V1NodeCondition,
  now: number,
): Finding {
  const name = node.metadata?.name ?? "";
  const pods = podsOn(snap, name);
  const unknown = ready.status === "Unknown";
  const why = unknown
    ? "its kubelet stopped posting status (the machine is down, unreachable or the kubelet crashed)"
    : `the kubelet reports ${ready.reason ?? "NotReady"}: ${ready.message ?? ""}`;
  const evidence: Evidence[] = [
    {
      type: "status",
      text: `Ready=${ready.status} ${ready.reason ?? ""}: ${ready.message ?? ""}${since(ready)}`,
    },
    ...eventIndex(snap)
      .of("Node", node.metadata)
      .filter((e) => /NotReady|NodeNotReady|Rebooted/.test(e.reason ?? ""))
      .slice(0, 3)
      .map(eventEvidence),
  ];
  return makeFinding(
    {
      source: NODES,
      key: `NotReady/${ready.status}`,
      subject: refOf("Node", node.metadata),
      affected: [refOf("Node", node.metadata), ...pods.map(podRef)],
      reason: "NodeNotReady",
      rootCause: `node ${name} is NotReady: ${why}; ${pods.length} pod(s) on it are affected`,
      evidence,
      fix: {
        description: `cordon and drain ${name}, then repair or replace the instance`,
        command: `kubectl cordon ${name} && kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data`,
      },
      confidence: 0.9,
      severity: "critical",
    },
    now,
  );
}

function pressure(snap: ClusterSnapshot, node: V1Node, now: number): Finding[] {
  const name = node.metadata?.name ?? "";
  const evicted = evictedOn(snap, name, now);
  const out: Finding[] = [];
  const covered = new Set<V1Pod>();
  for (const [type, p] of Object.entries(PRESSURE)) {
    const c = condition(node, type);
    const victims = evicted.filter((e) => evictedResource(e) === p.resource);
    for (const v of victims) covered.add(v);
    if (c?.status !== "True" && !victims.length) continue;
    const evidence: Evidence[] = [];
    if (c?.status === "True")
      evidence.push({
        type: "status",
        text: `${type}=True ${c.reason ?? ""}: ${c.message ?? ""}${since(c)}`,
      });
    for (const v of victims.slice(0, 3))
      evidence.push({
        type: "status",
        text: `pod ${v.metadata?.namespace}/${v.metadata?.name} Evicted: ${v.status?.message ?? ""}`,
      });
    const ev = eventIndex(snap).of("Node", node.metadata, "EvictionThresholdMet")[0];
    if (ev) evidence.push(eventEvidence(ev));
    // With no evictions yet, the pods on the node are the ones at risk.
    const affected = victims.length ? victims : podsOn(snap, name);
    out.push(
      pressureFinding(
        node,
        type,
        p,
        affected,
        victims.length > 0,
        c?.status === "True",
        evidence,
        now,
      ),
    );
  }
  const rest = evicted.filter((e) => !covered.has(e));
  if (rest.length)
    out.push(
      pressureFinding(
        node,
        "Evicted",
        { resource: "resources", what: "evicted pods" },
        rest,
        true,
        false,
        [],
        now,
      ),
    );
  return out;
}

function pressureFinding(
  node: V1Node,
  type: string,
  p: { resource: string; what: string },
  pods: V1Pod[],
  evicted: boolean,
  active: boolean,
  evidence: Evidence[],
  now: number,
): Finding {
  const name = node.metadata?.name ?? "";
  const affected: ObjectRef[] = [refOf("Node", node.metadata), ...pods.map(podRef)];
  const victims = evicted ? pods : [];
  const evictions = victims.length
    ? `; the kubelet evicted ${victims.length} pod(s) to reclaim ${p.resource}`
    : "";
  const state = active
    ? `node ${name} ${p.what} (${type})`
    : `node ${name} ran low on ${p.resource}`;
  const fixes: Record<string, string> = {
    "ephemeral-storage": `free disk space on ${name} (runaway logs, unused images, emptyDir volumes) or drain and replace it; set ephemeral-storage limits on noisy pods`,
    memory: `move memory-hungry pods off ${name}, set memory requests equal to real usage, or add capacity`,
    pids: `find the pod leaking processes on ${name} and set a pod PID limit`,
  };
  return makeFinding(
    {
      source: NODES,
      key: type,
      subject: refOf("Node", node.metadata),
      affected,
      reason: victims.length ? "Evicted" : type,
      rootCause: `${state}${evictions}`,
      evidence,
      fix: {
        description: fixes[p.resource] ?? `investigate why the kubelet on ${name} evicts pods`,
        command: `kubectl describe node ${name}`,
      },
      confidence: active ? 0.9 : 0.75,
      severity: victims.length || active ? "critical" : "warning",
    },
    now,
  );
}

export function analyzeNodes(snap: ClusterSnapshot, now: number): Finding[] {
  const out: Finding[] = [];
  for (const node of snap.nodes) {
    const ready = condition(node, "Ready");
    if (ready && ready.status !== "True") {
      out.push(notReady(snap, node, ready, now));
      continue;
    }
    out.push(...pressure(snap, node, now));
    const net = condition(node, "NetworkUnavailable");
    if (net?.status === "True") {
      out.push(
        makeFinding(
          {
            source: NODES,
            key: "NetworkUnavailable",
            subject: refOf("Node", node.metadata),
            affected: [
              refOf("Node", node.metadata),
              ...podsOn(snap, node.metadata?.name ?? "").map(podRef),
            ],
            reason: "NetworkUnavailable",
            rootCause: `node ${node.metadata?.name} has no pod network (${[net.reason, net.message].filter(Boolean).join(": ")}): the CNI or route controller has not configured it`,
            evidence: [
              {
                type: "status",
                text: `NetworkUnavailable=True ${net.reason ?? ""}: ${net.message ?? ""}${since(net)}`,
              },
            ],
            fix: {
              description: "check the CNI daemonset pod on the node and the cloud route table",
            },
            confidence: 0.85,
            severity: "critical",
          },
          now,
        ),
      );
    }
  }
  return out;
}
