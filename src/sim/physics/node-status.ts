/**
 * The node status a kubelet posts: conditions with the kubelet's own reasons and messages,
 * nodeInfo, addresses and allocatable. Pure functions of the node and its runtime.
 */
import { isoTime } from "../../core/clock.ts";
import { stableId } from "../../core/ids.ts";
import type { KubeObject } from "../store/types.ts";
import { type NodeRuntime, nodeFs } from "./node-state.ts";
import { type Condition, setCondition } from "./pod-util.ts";

export const KUBELET_VERSION = "v1.32.2";
export const EVICTION_HARD_NODEFS = 0.1;
export const EVICTION_HARD_MEMORY = 100 * 2 ** 20;

/** --eviction-pressure-transition-period: a pressure condition stays on this long after the threshold clears. */
export const PRESSURE_TRANSITION_MS = 5 * 60_000;

/** memory.available < 100Mi, as last measured by the kubelet. */
export function memoryThresholdMet(rt: NodeRuntime): boolean {
  return rt.memoryAvailable !== undefined && rt.memoryAvailable < EVICTION_HARD_MEMORY;
}

/** nodefs.available < 10% is the kubelet's default hard eviction threshold. */
export function diskThresholdMet(rt: NodeRuntime, now: number): boolean {
  const fs = nodeFs(rt, now);
  return fs.available < fs.capacity * EVICTION_HARD_NODEFS;
}

/** The eviction manager notes when each threshold was last met. */
export function observePressure(rt: NodeRuntime, now: number): void {
  if (memoryThresholdMet(rt)) rt.memoryPressureSeen = now;
  if (diskThresholdMet(rt, now)) rt.diskPressureSeen = now;
}

function recently(seen: number | undefined, now: number): boolean {
  return seen !== undefined && now - seen < PRESSURE_TRANSITION_MS;
}

/** The MemoryPressure condition: the threshold is met or was within the transition period. */
export function hasMemoryPressure(rt: NodeRuntime, now: number): boolean {
  return memoryThresholdMet(rt) || recently(rt.memoryPressureSeen, now);
}

export function hasDiskPressure(rt: NodeRuntime, now: number): boolean {
  return diskThresholdMet(rt, now) || recently(rt.diskPressureSeen, now);
}

function cond(type: string, status: string, reason: string, message: string): Condition {
  return { type, status, reason, message };
}

/** Conditions as pkg/kubelet/nodestatus/setters.go writes them. */
export function kubeletConditions(rt: NodeRuntime, now: number): Condition[] {
  const disk = hasDiskPressure(rt, now);
  return [
    cond("NetworkUnavailable", "False", "RouteCreated", "RouteController created a route"),
    hasMemoryPressure(rt, now)
      ? cond(
          "MemoryPressure",
          "True",
          "KubeletHasInsufficientMemory",
          "kubelet has insufficient memory available",
        )
      : cond(
          "MemoryPressure",
          "False",
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
        ),
    disk
      ? cond("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure")
      : cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

/** Merge fresh conditions into the stored ones, stamping heartbeats. */
export function mergeConditions(
  old: Condition[],
  fresh: Condition[],
  now: number,
  heartbeat: boolean,
): Condition[] {
  let out = old;
  for (const c of fresh) {
    const prev = old.find((o) => o.type === c.type);
    const lastHeartbeatTime =
      heartbeat || !prev?.lastHeartbeatTime ? isoTime(now) : prev.lastHeartbeatTime;
    // NetworkUnavailable is owned by the route controller: it carries no kubelet heartbeat.
    const hb =
      c.type === "NetworkUnavailable"
        ? (prev?.lastHeartbeatTime ?? isoTime(now))
        : lastHeartbeatTime;
    out = setCondition(out, { ...c, lastHeartbeatTime: hb }, now);
  }
  return out;
}

/** The node lifecycle controller's view once heartbeats stop (node_lifecycle_controller.go). */
export function unknownConditions(old: Condition[], now: number): Condition[] {
  let out = old;
  for (const c of old) {
    if (c.type === "NetworkUnavailable") continue;
    out = setCondition(
      out,
      {
        ...c,
        status: "Unknown",
        reason: "NodeStatusUnknown",
        message: "Kubelet stopped posting node status.",
      },
      now,
    );
  }
  return out;
}

export function initialStatus(
  node: KubeObject,
  rt: NodeRuntime,
  now: number,
): KubeObject["status"] {
  const status = { ...(node.status ?? {}) };
  const fs = nodeFs(rt, now);
  const capacity = {
    cpu: "4",
    memory: "16Gi",
    pods: "110",
    "ephemeral-storage": `${Math.round(fs.capacity / 1024)}Ki`,
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    ...(status.capacity ?? {}),
  };
  const id = stableId(`node/${rt.name}`, 32);
  return {
    ...status,
    capacity,
    allocatable: { ...capacity, ...(status.allocatable ?? {}) },
    addresses: status.addresses ?? [
      { type: "InternalIP", address: `10.0.${Math.floor(rt.index / 250)}.${(rt.index % 250) + 4}` },
      { type: "Hostname", address: rt.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: id,
      systemUUID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
      bootID: stableId(`boot/${rt.name}/${now}`, 32),
      kernelVersion: "6.1.0-28-cloud-amd64",
      osImage: "Debian GNU/Linux 12 (bookworm)",
      containerRuntimeVersion: "containerd://1.7.24",
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: "linux",
      architecture: "amd64",
      ...(status.nodeInfo ?? {}),
    },
    conditions: mergeConditions([], kubeletConditions(rt, now), now, true),
  };
}
