/**
 * Root-cause hypotheses across signals, for one symptom time:
 * - metrics: which service deviated first and most (metric-rank.ts, with the call graph),
 * - changes: rollouts, scaling, config and node changes in the window before the symptom,
 * - events: Warning events; those a node produces for every pod it hosts (sandbox/CNI, eviction)
 *   point at the node, the rest at the pod's workload,
 * - topology: a node whose events explain a workload's failures takes over that workload's
 *   evidence, as a dependency explains its callers in the metric ranking.
 * Each piece of evidence adds a weight; confidence is the hypothesis' share of the total.
 */
import type { Evidence, Hypothesis, ObjectRef } from "../../core/types.ts";
import { refKey } from "../../diagnose/owners.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { type Topology, ZONE_LABEL } from "../topology.ts";
import { type Change, changesFrom, eventTime } from "./changes.ts";
import { rankServices } from "./metric-rank.ts";
import type { WideTable } from "./wide-table.ts";

export type { Hypothesis };

export interface RcaInput {
  snapshot: ClusterSnapshot;
  topology: Topology;
  /** When the symptom was first seen (ms). */
  symptomTime: number;
  /** Per-service metrics; services are named as their Deployment in `namespace`. */
  metrics?: WideTable;
  namespace?: string;
  changes?: Change[];
  /** How far before the symptom changes and events count (default 30 min). */
  windowMs?: number;
}

/** Reasons a node (its kubelet, runtime or CNI) produces regardless of the workload. */
const NODE_LEVEL = new Set([
  "FailedCreatePodSandBox",
  "FailedKillPod",
  "NetworkNotReady",
  "Evicted",
  "NodeNotReady",
  "ContainerGCFailed",
  "ImageGCFailed",
]);

interface Draft {
  entity: ObjectRef;
  causes: string[];
  score: number;
  evidence: Evidence[];
  explains: Map<string, ObjectRef>;
}

export function rankHypotheses(input: RcaInput): Hypothesis[] {
  const drafts = new Map<string, Draft>();
  const get = (entity: ObjectRef) => {
    const k = refKey({ ...entity, uid: undefined });
    const d: Draft = drafts.get(k) ?? {
      entity,
      causes: [],
      score: 0,
      evidence: [],
      explains: new Map(),
    };
    drafts.set(k, d);
    return d;
  };
  const windowMs = input.windowMs ?? 30 * 60_000;
  const from = input.symptomTime - windowMs;
  metricEvidence(input, get);
  const affectedByNode = eventEvidence(input, from, get);
  for (const c of [...changesFrom(input.snapshot), ...(input.changes ?? [])]) {
    if (c.time < from || c.time > input.symptomTime + 60_000) continue;
    const recency = Math.exp(-(input.symptomTime - Math.min(c.time, input.symptomTime)) / windowMs);
    const d = get(c.entity);
    const symptomatic = d.score > 0 || (c.affects ?? []).some((a) => get(a).score > 0);
    d.score += (c.kind === "scale" ? 0.3 : 0.5) * recency + (symptomatic ? 0.3 : 0);
    d.causes.push(c.text);
    d.evidence.push({
      type: "object",
      text: `change ${new Date(c.time).toISOString()}: ${c.text}`,
    });
  }
  // Topology: the node explains the workloads whose pods fail on it.
  for (const [nodeKey, workloads] of affectedByNode) {
    const node = drafts.get(nodeKey) as Draft;
    for (const w of workloads.values()) {
      const wd = get(w);
      node.score += 0.5 * wd.score;
      wd.score *= 0.5;
      node.explains.set(refKey(w), w);
      wd.evidence.push({
        type: "status",
        text: `explained by ${node.entity.kind.toLowerCase()} ${node.entity.name}`,
      });
    }
  }
  const all = [...drafts.values()].filter((d) => d.score > 0);
  const total = all.reduce((a, d) => a + d.score, 0);
  return all
    .map((d) => ({
      entity: d.entity,
      cause: d.causes[0] ?? `${d.entity.kind} ${d.entity.name}`,
      confidence: d.score / total,
      score: d.score,
      evidence: d.evidence,
      explains: [...d.explains.values()],
    }))
    .sort((a, b) => b.score - a.score);
}

function metricEvidence(input: RcaInput, get: (e: ObjectRef) => Draft): void {
  if (!input.metrics) return;
  const ns = input.namespace ?? "default";
  const deps = new Map<string, string[]>();
  for (const [svc, callees] of input.topology.serviceDeps)
    if (svc.startsWith(`${ns}/`))
      deps.set(
        svc.slice(ns.length + 1),
        callees.map((c) => c.slice(c.indexOf("/") + 1)),
      );
  const ranked = rankServices(input.metrics, { anomalyTime: input.symptomTime, deps }).filter(
    (r) => r.score > 0,
  );
  const top = ranked[0]?.score ?? 1;
  for (const r of ranked) {
    const d = get({ kind: "Deployment", namespace: ns, name: r.service });
    d.score += r.score / top;
    for (const caller of r.explains) {
      const w = { kind: "Deployment", namespace: ns, name: caller };
      d.explains.set(refKey(w), w);
    }
    const m = r.metrics[0];
    if (m)
      d.causes.push(`${r.service} ${m.metric} changed from ${num(m.baseline)} to ${num(m.after)}`);
    d.evidence.push({
      type: "samples",
      text: `${r.service}: ${r.metrics.map((x) => `${x.metric} ${num(x.baseline)}→${num(x.after)}`).join(", ")}${r.explainedBy.length ? `; its dependencies ${r.explainedBy.join(", ")} deviated too` : ""}`,
      data: r,
    });
  }
}

/** Adds event evidence; returns node → workloads whose pods had node-level failures there. */
function eventEvidence(input: RcaInput, from: number, get: (e: ObjectRef) => Draft) {
  const byNode = new Map<string, Map<string, ObjectRef>>();
  const seen = new Set<string>();
  for (const e of input.snapshot.events) {
    const o = e.involvedObject;
    const t = eventTime(e);
    if (e.type !== "Warning" || o?.kind !== "Pod" || t < from || t > input.symptomTime + 60_000)
      continue;
    const podKey = `${o.namespace ?? ""}/${o.name ?? ""}`;
    if (seen.has(`${podKey}/${e.reason}`)) continue;
    seen.add(`${podKey}/${e.reason}`);
    const known = input.topology.podOwner.get(podKey);
    const owner: ObjectRef = known
      ? { kind: known.kind, namespace: known.namespace, name: known.name }
      : {
          kind: "Pod",
          namespace: o.namespace,
          name: o.name ?? "",
        };
    const nodeName = input.topology.podNode.get(podKey) ?? e.source?.host;
    if (NODE_LEVEL.has(e.reason ?? "") && nodeName) {
      const node = get({ kind: "Node", name: nodeName });
      const zone = input.snapshot.nodes.find((n) => n.metadata?.name === nodeName)?.metadata
        ?.labels?.[ZONE_LABEL];
      node.score += node.score === 0 ? 0.8 : 0.1;
      node.causes.push(
        `node ${nodeName}${zone ? ` (zone ${zone})` : ""}: ${e.reason}: ${firstClause(e.message)}`,
      );
      node.evidence.push({
        type: "event",
        text: `${e.reason} on pod ${podKey}: ${e.message ?? ""}`,
      });
      const ws =
        byNode.get(refKey({ kind: "Node", name: nodeName })) ?? new Map<string, ObjectRef>();
      ws.set(refKey(owner), owner);
      byNode.set(refKey({ kind: "Node", name: nodeName }), ws);
    } else {
      const d = get(owner);
      d.score += 0.2;
      d.causes.push(`${e.reason}: ${firstClause(e.message)}`);
      d.evidence.push({ type: "event", text: `${e.reason} on pod ${podKey}: ${e.message ?? ""}` });
    }
  }
  return byNode;
}

/** The most specific part of a kubelet message: the text after the last "desc = " or colon chain. */
function firstClause(msg: string | undefined): string {
  if (!msg) return "";
  const tail = msg.split(": ").slice(-2).join(": ");
  return tail.length < msg.length ? tail : msg;
}

const num = (x: number) => String(Number(x.toPrecision(3)));
