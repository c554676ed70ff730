/**
 * Causes only events tell: pods stuck in ContainerCreating with FailedCreatePodSandBox (the CNI
 * could not set up their network) and FailedAttachVolume. IP exhaustion is a property of a
 * subnet, i.e. of a zone (the AWS VPC CNI assigns from the node's subnet; "failed to assign an IP
 * address to container", ipamd's "InsufficientFreeAddressesInSubnet"), so those pods are grouped
 * by the `topology.kubernetes.io/zone` of their nodes: one zone, one root cause.
 */
import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import type { Finding, ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { owningWorkload, refKey } from "../owners.ts";
import { eventEvidence, eventIndex, makeFinding, podRef } from "./common.ts";

export const EVENT_PATTERNS = "diagnose/event-patterns";

const ZONE = "topology.kubernetes.io/zone";
const NO_IP =
  /failed to assign an IP address|InsufficientFreeAddressesInSubnet|no available IP|no IP addresses available|range is full|ipam.*exhaust/i;

interface Stuck {
  pod: V1Pod;
  event: CoreV1Event;
}

/** Pods not yet running whose newest event of `reason` is about them now. */
function stuckWith(snap: ClusterSnapshot, reason: string): Stuck[] {
  const idx = eventIndex(snap);
  const out: Stuck[] = [];
  for (const pod of snap.pods) {
    if (pod.status?.phase !== "Pending" || !pod.spec?.nodeName || pod.metadata?.deletionTimestamp)
      continue;
    const event = idx.of("Pod", pod.metadata, reason)[0];
    if (event) out.push({ pod, event });
  }
  return out;
}

function mostAffected(
  snap: ClusterSnapshot,
  pods: V1Pod[],
): { subject: ObjectRef; workloads: ObjectRef[] } {
  const counts = new Map<string, { ref: ObjectRef; n: number }>();
  for (const p of pods) {
    const ref = owningWorkload(snap, p.metadata);
    const c = counts.get(refKey(ref)) ?? { ref, n: 0 };
    c.n++;
    counts.set(refKey(ref), c);
  }
  const sorted = [...counts.values()].sort(
    (a, b) => b.n - a.n || refKey(a.ref).localeCompare(refKey(b.ref)),
  );
  return { subject: (sorted[0] as { ref: ObjectRef }).ref, workloads: sorted.map((s) => s.ref) };
}

function sandboxFindings(snap: ClusterSnapshot, now: number): Finding[] {
  const zoneOf = new Map(
    snap.nodes.map((n) => [n.metadata?.name ?? "", n.metadata?.labels?.[ZONE]]),
  );
  const groups = new Map<string, { stuck: Stuck[]; zone?: string; ip: boolean }>();
  for (const s of stuckWith(snap, "FailedCreatePodSandBox")) {
    const ip = NO_IP.test(s.event.message ?? "");
    const node = s.pod.spec?.nodeName ?? "";
    const zone = zoneOf.get(node);
    const key = ip ? `ip/${zone ?? node}` : `sandbox/${node}`;
    const g = groups.get(key) ?? { stuck: [], zone, ip };
    g.stuck.push(s);
    groups.set(key, g);
  }
  return [...groups.entries()].map(([key, g]) => {
    const pods = g.stuck.map((s) => s.pod);
    const nodes = [...new Set(pods.map((p) => p.spec?.nodeName ?? ""))].sort();
    const { subject, workloads } = mostAffected(snap, pods);
    const where = g.zone ? `zone ${g.zone}` : `node ${nodes.join(", ")}`;
    const who = `${pods.length} pod(s) of ${workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(", ")}`;
    const rootCause = g.ip
      ? `the subnet of ${where} has no free IP addresses, so the CNI cannot give new pods on ${nodes.join(", ")} a network sandbox (${who} stuck in ContainerCreating)`
      : `the container runtime cannot create pod sandboxes on ${nodes.join(", ")} (${who}): ${g.stuck[0]?.event.message ?? ""}`;
    return makeFinding(
      {
        source: EVENT_PATTERNS,
        key,
        subject,
        affected: [...nodes.map((n) => ({ kind: "Node", name: n })), ...pods.map(podRef)],
        reason: "FailedCreatePodSandBox",
        rootCause,
        evidence: g.stuck.slice(0, 3).map((s) => eventEvidence(s.event)),
        fix: g.ip
          ? {
              description: `free or add IP addresses in ${where}: add a secondary CIDR / larger subnet, enable prefix delegation (ENABLE_PREFIX_DELEGATION on aws-node), lower WARM_IP_TARGET; meanwhile cordon ${nodes.join(", ")} so new pods land in other zones`,
              command: nodes.map((n) => `kubectl cordon ${n}`).join(" && "),
            }
          : { description: `check the CNI and container runtime on ${nodes.join(", ")}` },
        confidence: g.ip ? 0.9 : 0.6,
        severity: "critical",
      },
      now,
    );
  });
}

function attachFindings(snap: ClusterSnapshot, now: number): Finding[] {
  const groups = new Map<string, { stuck: Stuck[]; volume: string; multi: boolean }>();
  for (const s of stuckWith(snap, "FailedAttachVolume")) {
    const m = /volume "([^"]+)"/.exec(s.event.message ?? "");
    const volume = m?.[1] ?? "?";
    const multi = /Multi-Attach error/.test(s.event.message ?? "");
    const key = `${volume}/${multi}`;
    const g = groups.get(key) ?? { stuck: [], volume, multi };
    g.stuck.push(s);
    groups.set(key, g);
  }
  return [...groups.entries()].map(([key, g]) => {
    const pods = g.stuck.map((s) => s.pod);
    const { subject } = mostAffected(snap, pods);
    const msg = g.stuck[0]?.event.message ?? "";
    return makeFinding(
      {
        source: EVENT_PATTERNS,
        key,
        subject,
        affected: pods.map(podRef),
        reason: "FailedAttachVolume",
        rootCause: g.multi
          ? `volume ${g.volume} is ReadWriteOnce and still attached to another node, so it cannot attach where the new pod runs`
          : `volume ${g.volume} cannot be attached: ${msg}`,
        evidence: g.stuck.slice(0, 3).map((s) => eventEvidence(s.event)),
        fix: {
          description: g.multi
            ? "let the old pod terminate (or delete its VolumeAttachment if the old node is gone); use a Recreate strategy for single-writer volumes"
            : "check the CSI driver's controller logs and the volume in the cloud provider",
        },
        confidence: 0.8,
        severity: "critical",
      },
      now,
    );
  });
}

export function analyzeEventPatterns(snap: ClusterSnapshot, now: number): Finding[] {
  return [...sandboxFindings(snap, now), ...attachFindings(snap, now)];
}
