/**
 * Node models: the kubelet's node status loop (status on first sight, heartbeats every 10 s,
 * a Lease in kube-node-lease, disk pressure from the node behaviour) and the node lifecycle
 * controller (NodeStatusUnknown after the 40 s grace period, condition and unreachable taints,
 * taint-based eviction of pods after their tolerationSeconds).
 */
import { isoTime, microTime } from "../../core/clock.ts";
import type { Controller, SimContext } from "../engine.ts";
import type { EventSource } from "../event-recorder.ts";
import type { KubeObject } from "../store/types.ts";
import { kubeletAlive, type NodeRuntime, type NodeStates, podCidr } from "./node-state.ts";
import {
  hasDiskPressure,
  hasMemoryPressure,
  initialStatus,
  kubeletConditions,
  mergeConditions,
  unknownConditions,
} from "./node-status.ts";
import { type Condition, getCondition, type Taint } from "./pod-util.ts";
import { evictForTaints, markPodsNotReady } from "./taint-eviction.ts";

const HEARTBEAT_MS = 10_000;
const GRACE_MS = 40_000;

export const TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";

export class NodeLifecycle implements Controller {
  readonly name = "node-lifecycle";
  private readonly ctx: SimContext;
  private readonly states: NodeStates;
  private readonly lastBeat = new Map<string, number>();

  constructor(ctx: SimContext, states: NodeStates) {
    this.ctx = ctx;
    this.states = states;
  }

  tick(now: number): void {
    const nodes = this.ctx.store.list("nodes");
    const seen = new Set<string>();
    for (const node of nodes) {
      seen.add(node.metadata.name as string);
      this.syncNode(node, now);
    }
    for (const name of this.states.names()) if (!seen.has(name)) this.states.forget(name);
  }

  private syncNode(node: KubeObject, now: number): void {
    const name = node.metadata.name as string;
    const rt = this.states.observe(node, now);
    if (!node.status?.nodeInfo) {
      this.initNode(node, rt, now);
      return;
    }
    if (kubeletAlive(rt, now)) this.kubeletStatus(node, rt, now);
    const current = this.ctx.store.get("nodes", undefined, name);
    if (current) this.lifecycle(current, rt, now);
  }

  private initNode(node: KubeObject, rt: NodeRuntime, now: number): void {
    const name = node.metadata.name as string;
    const updated = this.ctx.store.mutate("nodes", undefined, name, (d) => {
      d.spec = { ...(d.spec ?? {}) };
      d.spec.podCIDR ??= podCidr(rt);
      d.spec.podCIDRs ??= [d.spec.podCIDR];
      d.status = initialStatus(d, rt, now);
    });
    rt.lastHeartbeat = now;
    this.lastBeat.set(name, now);
    const src = { component: "kubelet", host: name };
    // The events a starting kubelet records (kubelet.go initializeModules, nodestatus setters).
    const ev = (reason: string, message: string, source: EventSource = src) =>
      this.ctx.events.record(updated, "Normal", reason, message, source);
    ev("Starting", "Starting kubelet.");
    ev("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods");
    for (const status of [
      "NodeHasSufficientMemory",
      "NodeHasNoDiskPressure",
      "NodeHasSufficientPID",
      "NodeReady",
    ]) {
      ev(status, `Node ${name} status is now: ${status}`);
    }
    ev("RegisteredNode", `Node ${name} event: Registered Node ${name} in Controller`, {
      component: "node-controller",
    });
    this.renewLease(updated, now);
  }

  /** The kubelet's own status loop: heartbeat, and write conditions as soon as they change. */
  private kubeletStatus(node: KubeObject, rt: NodeRuntime, now: number): void {
    const name = node.metadata.name as string;
    const due = now - (this.lastBeat.get(name) ?? 0) >= HEARTBEAT_MS;
    const fresh = kubeletConditions(rt, now);
    const old = (node.status?.conditions ?? []) as Condition[];
    const changed = fresh.some((c) => {
      const o = old.find((x) => x.type === c.type);
      return o?.status !== c.status;
    });
    if (!due && !changed) return;
    rt.lastHeartbeat = now;
    this.lastBeat.set(name, now);
    const readyBefore = getCondition(node, "Ready")?.status === "True";
    const updated = this.ctx.store.mutate("nodes", undefined, name, (d) => {
      d.status.conditions = mergeConditions(old, fresh, now, true);
    });
    this.renewLease(updated, now);
    const src = { component: "kubelet", host: name };
    const changes: Array<[string, boolean, string, string]> = [
      ["DiskPressure", hasDiskPressure(rt, now), "NodeHasDiskPressure", "NodeHasNoDiskPressure"],
      [
        "MemoryPressure",
        hasMemoryPressure(rt, now),
        "NodeHasInsufficientMemory",
        "NodeHasSufficientMemory",
      ],
    ];
    for (const [type, active, on, off] of changes) {
      if (active === (getCondition(node, type)?.status === "True")) continue;
      const reason = active ? on : off;
      this.ctx.events.record(
        updated,
        "Normal",
        reason,
        `Node ${name} status is now: ${reason}`,
        src,
      );
    }
    if (!readyBefore) {
      this.ctx.events.record(
        updated,
        "Normal",
        "NodeReady",
        `Node ${name} status is now: NodeReady`,
        src,
      );
    }
  }

  private renewLease(node: KubeObject, now: number): void {
    const name = node.metadata.name as string;
    const spec = {
      holderIdentity: name,
      leaseDurationSeconds: 40,
      renewTime: microTime(now),
    };
    const existing = this.ctx.store.get("leases.coordination.k8s.io", "kube-node-lease", name);
    if (existing) {
      this.ctx.store.mutate("leases.coordination.k8s.io", "kube-node-lease", name, (d) => {
        d.spec = { ...d.spec, ...spec };
      });
      return;
    }
    if (!this.ctx.store.get("namespaces", undefined, "kube-node-lease")) return;
    this.ctx.store.create(
      "leases.coordination.k8s.io",
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name,
          namespace: "kube-node-lease",
          ownerReferences: [
            { apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid as string },
          ],
        },
        spec,
      },
      { internal: true },
    );
  }

  /** node_lifecycle_controller: grace period, condition taints, then NoExecute eviction. */
  private lifecycle(node: KubeObject, rt: NodeRuntime, now: number): void {
    const name = node.metadata.name as string;
    const ready = getCondition(node, "Ready");
    if (now - rt.lastHeartbeat > GRACE_MS && ready?.status !== "Unknown") {
      const updated = this.ctx.store.mutate("nodes", undefined, name, (d) => {
        d.status.conditions = unknownConditions(d.status.conditions ?? [], now);
      });
      this.ctx.events.record(
        updated,
        "Normal",
        "NodeNotReady",
        `Node ${name} status is now: NodeNotReady`,
        {
          component: "node-controller",
        },
      );
      markPodsNotReady(this.ctx, name, now);
    }
    this.syncTaints(name, now);
    const fresh = this.ctx.store.get("nodes", undefined, name);
    if (fresh) evictForTaints(this.ctx, fresh, now);
  }

  private syncTaints(name: string, now: number): void {
    const node = this.ctx.store.get("nodes", undefined, name);
    if (!node) return;
    const ready = getCondition(node, "Ready")?.status;
    const want: Taint[] = [];
    // TaintNodesByCondition: a cordoned node carries the unschedulable taint too.
    if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" });
    if (getCondition(node, "MemoryPressure")?.status === "True") {
      want.push({ key: TAINT_MEMORY_PRESSURE, effect: "NoSchedule" });
    }
    if (getCondition(node, "DiskPressure")?.status === "True") {
      want.push({ key: TAINT_DISK_PRESSURE, effect: "NoSchedule" });
    }
    const readyKey =
      ready === "Unknown" ? TAINT_UNREACHABLE : ready === "False" ? TAINT_NOT_READY : "";
    if (readyKey) {
      want.push({ key: readyKey, effect: "NoSchedule" }, { key: readyKey, effect: "NoExecute" });
    }
    const managed = [
      TAINT_UNSCHEDULABLE,
      TAINT_MEMORY_PRESSURE,
      TAINT_DISK_PRESSURE,
      TAINT_UNREACHABLE,
      TAINT_NOT_READY,
    ];
    const current = (node.spec?.taints ?? []) as Taint[];
    const keep = current.filter((t) => !managed.includes(t.key));
    const kept = want.map(
      (w) =>
        current.find((t) => t.key === w.key && t.effect === w.effect) ??
        (w.effect === "NoExecute" ? { ...w, timeAdded: isoTime(now) } : w),
    );
    const next = [...keep, ...kept];
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    this.ctx.store.mutate("nodes", undefined, name, (d) => {
      d.spec = { ...(d.spec ?? {}) };
      if (next.length) d.spec.taints = next;
      else delete d.spec.taints;
    });
  }
}
