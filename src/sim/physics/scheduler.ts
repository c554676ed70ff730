/**
 * The default scheduler: binds pending pods to the best feasible node, or records why none
 * fits in the exact format of framework.FitError (with the preemption post-filter's verdict)
 * and retries with the scheduling queue's back-off (1 s doubling to 10 s).
 */
import type { Controller, SimContext } from "../engine.ts";
import { milliCores, parseQuantity } from "../quantity.ts";
import type { KubeObject } from "../store/types.ts";
import { isTerminal, podRequest, setCondition } from "./pod-util.ts";
import {
  type FilterResult,
  filterNode,
  histogram,
  matchesNodeAffinity,
  type NodeUsage,
  volumePreFilter,
} from "./scheduler-filters.ts";
import {
  interPodAffinityFilter,
  type Placement,
  topologySpreadFilter,
} from "./scheduler-interpod.ts";

const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 10_000;
const SCHEDULER = { component: "default-scheduler" };

interface Attempt {
  failures: number;
  next: number;
}

export class Scheduler implements Controller {
  readonly name = "scheduler";
  private readonly ctx: SimContext;
  private readonly attempts = new Map<string, Attempt>();

  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    const pods = this.ctx.store.list("pods");
    const pending = pods.filter(
      (p) =>
        !p.spec?.nodeName &&
        !p.metadata.deletionTimestamp &&
        !isTerminal(p) &&
        (p.spec?.schedulerName ?? "default-scheduler") === "default-scheduler",
    );
    const live = new Set(pending.map((p) => p.metadata.uid as string));
    for (const uid of this.attempts.keys()) if (!live.has(uid)) this.attempts.delete(uid);
    if (!pending.length) return;
    const nodes = this.ctx.store.list("nodes");
    const usage = nodeUsage(pods);
    for (const pod of pending) {
      const a = this.attempts.get(pod.metadata.uid as string);
      if (a && now < a.next) continue;
      this.schedule(pod, nodes, usage, pods, now);
    }
  }

  private schedule(
    pod: KubeObject,
    nodes: KubeObject[],
    usage: Map<string, NodeUsage>,
    pods: KubeObject[],
    now: number,
  ): void {
    const feasible: KubeObject[] = [];
    const failures: FilterResult[] = [];
    const pre = volumePreFilter(this.ctx.store, pod);
    if (!pre) {
      const placement: Placement = {
        pods: pods.filter((p) => p.spec?.nodeName && !isTerminal(p)),
        nodes: new Map(nodes.map((n) => [n.metadata.name as string, n])),
      };
      // PodTopologySpread counts domains of the nodes the pod's node affinity allows.
      const eligible = nodes.filter((n) => matchesNodeAffinity(pod, n));
      for (const node of nodes) {
        const used = usage.get(node.metadata.name as string) ?? { cpu: 0, memory: 0, pods: 0 };
        const f =
          filterNode(pod, node, used) ??
          topologySpreadFilter(pod, node, placement, eligible) ??
          interPodAffinityFilter(pod, node, placement);
        if (f) failures.push(f);
        else feasible.push(node);
      }
    }
    if (!feasible.length) {
      this.fail(pod, fitError(nodes.length, pre, failures), now);
      return;
    }
    const best = pickNode(pod, feasible, usage, pods);
    this.bind(pod, best, now);
    const u = usage.get(best.metadata.name as string) ?? { cpu: 0, memory: 0, pods: 0 };
    u.cpu += podRequest(pod, "cpu");
    u.memory += podRequest(pod, "memory");
    u.pods += 1;
    usage.set(best.metadata.name as string, u);
    pods.push({ ...pod, spec: { ...pod.spec, nodeName: best.metadata.name } });
  }

  private bind(pod: KubeObject, node: KubeObject, now: number): void {
    const nodeName = node.metadata.name as string;
    const ns = pod.metadata.namespace as string;
    const updated = this.ctx.store.mutate("pods", ns, pod.metadata.name as string, (d) => {
      d.spec.nodeName = nodeName;
      d.status = { ...(d.status ?? {}), phase: d.status?.phase ?? "Pending" };
      d.status.conditions = setCondition(
        d.status.conditions ?? [],
        { type: "PodScheduled", status: "True", lastProbeTime: null },
        now,
      );
    });
    this.attempts.delete(pod.metadata.uid as string);
    this.ctx.events.record(
      updated,
      "Normal",
      "Scheduled",
      `Successfully assigned ${ns}/${pod.metadata.name} to ${nodeName}`,
      SCHEDULER,
    );
  }

  private fail(pod: KubeObject, message: string, now: number): void {
    const uid = pod.metadata.uid as string;
    const prev = this.attempts.get(uid);
    const failures = (prev?.failures ?? 0) + 1;
    const backoff = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** (failures - 1));
    this.attempts.set(uid, { failures, next: now + backoff });
    const updated = this.ctx.store.mutate(
      "pods",
      pod.metadata.namespace,
      pod.metadata.name as string,
      (d) => {
        d.status = { ...(d.status ?? {}), phase: "Pending" };
        d.status.conditions = setCondition(
          d.status.conditions ?? [],
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message,
            lastProbeTime: null,
          },
          now,
        );
      },
    );
    this.ctx.events.record(updated, "Warning", "FailedScheduling", message, SCHEDULER);
  }
}

/** framework.FitError.Error() plus the DefaultPreemption post-filter message. */
export function fitError(
  numNodes: number,
  preFilterMsg: string | undefined,
  failures: FilterResult[],
): string {
  if (numNodes === 0) return "no nodes available to schedule pods";
  let msg = `0/${numNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  else msg += ` ${histogram(failures.flatMap((f) => f.reasons))}.`;
  const verdicts = preFilterMsg
    ? Array.from({ length: numNodes }, () => "Preemption is not helpful for scheduling")
    : failures.map((f) =>
        f.unresolvable
          ? "Preemption is not helpful for scheduling"
          : "No preemption victims found for incoming pod",
      );
  return `${msg} preemption: 0/${numNodes} nodes are available: ${histogram(verdicts)}.`;
}

export function nodeUsage(pods: KubeObject[]): Map<string, NodeUsage> {
  const usage = new Map<string, NodeUsage>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (!n || isTerminal(p)) continue;
    const u = usage.get(n) ?? { cpu: 0, memory: 0, pods: 0 };
    u.cpu += podRequest(p, "cpu");
    u.memory += podRequest(p, "memory");
    u.pods += 1;
    usage.set(n, u);
  }
  return usage;
}

function ownerKey(pod: KubeObject): string {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) return owner.uid;
  return `${pod.metadata.namespace}/${JSON.stringify(pod.metadata.labels ?? {})}`;
}

/** NodeResourcesFit LeastAllocated plus a spreading penalty for replicas of the same owner (host, then zone). */
function pickNode(
  pod: KubeObject,
  nodes: KubeObject[],
  usage: Map<string, NodeUsage>,
  pods: KubeObject[],
): KubeObject {
  const key = ownerKey(pod);
  const siblings = pods.filter((p) => p.spec?.nodeName && !isTerminal(p) && ownerKey(p) === key);
  const zoneOf = new Map(
    nodes.map((n) => [
      n.metadata.name as string,
      n.metadata.labels?.["topology.kubernetes.io/zone"],
    ]),
  );
  // Containers without requests count as 100m / 200Mi for scoring (schedutil.GetNonzeroRequests).
  const cpuReq = podRequest(pod, "cpu") || 100;
  const memReq = podRequest(pod, "memory") || 200 * 2 ** 20;
  let best = nodes[0] as KubeObject;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const node of [...nodes].sort((a, b) =>
    String(a.metadata.name).localeCompare(String(b.metadata.name)),
  )) {
    const name = node.metadata.name as string;
    const alloc = node.status?.allocatable ?? {};
    const u = usage.get(name) ?? { cpu: 0, memory: 0, pods: 0 };
    const cpuAlloc = milliCores(alloc.cpu ?? "1") || 1;
    const memAlloc = parseQuantity(alloc.memory ?? "1") || 1;
    const least =
      (Math.max(0, (cpuAlloc - u.cpu - cpuReq) / cpuAlloc) +
        Math.max(0, (memAlloc - u.memory - memReq) / memAlloc)) *
      50;
    const onHost = siblings.filter((p) => p.spec.nodeName === name).length;
    const zone = zoneOf.get(name);
    const inZone = zone ? siblings.filter((p) => zoneOf.get(p.spec.nodeName) === zone).length : 0;
    const score = least - 30 * onHost - 10 * inZone;
    if (score > bestScore) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}
