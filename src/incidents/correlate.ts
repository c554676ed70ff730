/**
 * Topology correlation of signals (findings and alerts). Each signal is placed on the topology
 * (its pods, workloads, Services, nodes and zone) and given a scope: a node or zone signal is
 * about infrastructure, everything else about a workload. One signal *explains* another when a
 * failed node or zone hosts the other's pods, when the other's Services call (transitively) the
 * first one's Services, or when both are about the same workload. Related signals within the
 * time window belong to one incident; its root is the signal that explains the most others.
 */
import type { Finding, ObjectRef, Severity } from "../core/types.ts";
import { refKey } from "../diagnose/owners.ts";
import { type Topology, transitiveDeps } from "./topology.ts";

export interface Placement {
  scope: "node" | "zone" | "workload";
  pods: string[];
  workloads: string[];
  services: string[];
  nodes: string[];
  zones: string[];
  /** Services the signal's Services call, transitively. */
  calls: string[];
}

/** One deduplicated signal inside an incident (an alert fingerprint or a finding key). */
export interface SignalState {
  fingerprint: string;
  source: "alert" | "finding";
  reason: string;
  severity: Severity;
  subject: ObjectRef;
  placement: Placement;
  firstAt: number;
  lastAt: number;
  /** Set while the signal is resolved; a new firing clears it (a flap). */
  resolvedAt?: number;
  /** Firing episodes: 1, plus one per flap back to firing. */
  episodes: number;
  /** The latest finding (or alert as a finding) behind this signal. */
  finding: Finding;
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"];
const LABEL_KINDS: Record<string, string> = {
  deployment: "Deployment",
  statefulset: "StatefulSet",
  daemonset: "DaemonSet",
  job_name: "Job",
  cronjob: "CronJob",
};

function labelsOf(f: Finding): Record<string, string> {
  for (const e of f.evidence) {
    const d = e.data as { labels?: Record<string, string> } | undefined;
    if (e.type === "object" && d?.labels) return d.labels;
  }
  return {};
}

/** Puts a finding (an alert is a finding of kind "alert" with its labels as evidence) on the topology. */
export function place(f: Finding, t: Topology): Placement {
  const pods = new Set<string>();
  const workloads = new Set<string>();
  const services = new Set<string>();
  const nodes = new Set<string>();
  const zones = new Set<string>();
  const addRef = (r: ObjectRef) => {
    if (r.kind === "Pod") pods.add(`${r.namespace ?? ""}/${r.name}`);
    else if (r.kind === "Node") nodes.add(r.name);
    else if (r.kind === "Service") services.add(`${r.namespace ?? ""}/${r.name}`);
    else if (WORKLOAD_KINDS.includes(r.kind)) workloads.add(refKey({ ...r, uid: undefined }));
  };
  addRef(f.subject);
  for (const a of f.affected) addRef(a);
  const l = labelsOf(f);
  const ns = l.namespace ?? "";
  if (l.pod) pods.add(`${ns}/${l.pod}`);
  if (l.service) services.add(`${ns}/${l.service}`);
  if (l.node) nodes.add(l.node);
  const zone = l.zone ?? l.topology_kubernetes_io_zone;
  if (zone) zones.add(zone);
  for (const [label, kind] of Object.entries(LABEL_KINDS))
    if (l[label]) workloads.add(refKey({ kind, namespace: ns, name: l[label] as string }));
  const infra = pods.size === 0 && workloads.size === 0 && services.size === 0;
  for (const p of pods) {
    const owner = t.podOwner.get(p);
    if (owner) workloads.add(refKey({ ...owner, uid: undefined }));
    const node = t.podNode.get(p);
    if (node) nodes.add(node);
  }
  for (const w of workloads) for (const s of t.workloadServices.get(w) ?? []) services.add(s);
  for (const n of nodes) {
    const z = t.nodeZone.get(n);
    if (z) zones.add(z);
  }
  const scope = infra && nodes.size > 0 ? "node" : infra && zones.size > 0 ? "zone" : "workload";
  return {
    scope,
    pods: [...pods],
    workloads: [...workloads],
    services: [...services],
    nodes: [...nodes],
    zones: [...zones],
    calls: [...transitiveDeps(t, services)],
  };
}

const overlaps = (a: string[], b: Iterable<string>) => {
  const s = new Set(b);
  return a.some((x) => s.has(x));
};

/** Does signal `a` explain signal `b` (a is upstream of, or the same failure as, b)? */
export function explains(a: SignalState, b: SignalState): boolean {
  const pa = a.placement;
  const pb = b.placement;
  if (pa.scope === "node" && overlaps(pa.nodes, pb.nodes)) return true;
  if (pa.scope === "zone" && overlaps(pa.zones, pb.zones)) return true;
  if (pa.services.length > 0 && overlaps(pa.services, pb.calls)) return true;
  // Analyzer findings are already one per workload and reason: two of them with different
  // reasons are distinct problems with their own runbooks (an OOM prediction vs the OOM kill).
  if (a.source === "finding" && b.source === "finding" && a.reason !== b.reason) return false;
  return pa.workloads.length > 0 && overlaps(pa.workloads, pb.workloads);
}

export function related(a: SignalState, b: SignalState, windowMs: number): boolean {
  const gap = Math.max(a.firstAt, b.firstAt) - Math.min(a.lastAt, b.lastAt);
  if (gap > windowMs) return false;
  return explains(a, b) || explains(b, a);
}

/** The signal that explains the most others (ties: infrastructure first, then the earliest). */
export function rootSignal(signals: SignalState[]): { root: SignalState; explained: number } {
  let best: { root: SignalState; explained: number } | undefined;
  const rank = (s: SignalState) => (s.placement.scope === "workload" ? 0 : 1);
  for (const s of signals) {
    const explained = signals.filter((o) => o !== s && explains(s, o) && !explains(o, s));
    const cand = { root: s, explained: explained.length };
    if (
      !best ||
      cand.explained > best.explained ||
      (cand.explained === best.explained &&
        (rank(s) > rank(best.root) ||
          (rank(s) === rank(best.root) && s.firstAt < best.root.firstAt)))
    )
      best = cand;
  }
  if (!best) throw new Error("rootSignal of no signals");
  return best;
}

const ORDER: Severity[] = ["info", "warning", "critical"];
export function maxSeverity(a: Severity, b: Severity): Severity {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
