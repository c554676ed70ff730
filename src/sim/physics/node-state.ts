/**
 * What the simulator knows about each node beyond its API object: when its behaviour took
 * effect, whether its kubelet is alive, its root filesystem usage and its pod IP allocator.
 * Shared by the node model, the kubelet and the eviction manager.
 */
import { NODE_BEHAVIOUR_ANNOTATION, type NodeBehaviour, nodeBehaviour } from "../behaviour.ts";
import type { KubeObject } from "../store/types.ts";

const GI = 2 ** 30;

export interface NodeRuntime {
  name: string;
  index: number;
  behaviourRaw: string | undefined;
  behaviour: NodeBehaviour;
  since: number;
  lastHeartbeat: number;
  nextIp: number;
  /** Pod uid → assigned IP, so a restarted sandbox keeps its address. */
  ips: Map<string, string>;
  /** Addresses taken from the subnet since the behaviour took effect (subnetFreeIPs counts down). */
  ipsTaken: number;
  lastEvictionCheck: number;
  /** memory.available in bytes as the kubelet last measured it (capacity minus working sets). */
  memoryAvailable?: number;
  memoryPressureSeen?: number;
  diskPressureSeen?: number;
  diskPressure: boolean;
}

export class NodeStates {
  private readonly nodes = new Map<string, NodeRuntime>();
  private counter = 0;

  /** The runtime for a node, created (or its behaviour re-read) as the node's annotation changes. */
  observe(node: KubeObject, now: number): NodeRuntime {
    const name = node.metadata.name as string;
    const raw = node.metadata.annotations?.[NODE_BEHAVIOUR_ANNOTATION];
    let rt = this.nodes.get(name);
    if (!rt) {
      rt = {
        name,
        index: this.counter++,
        behaviourRaw: raw,
        behaviour: nodeBehaviour(node.metadata.annotations),
        since: now,
        lastHeartbeat: now,
        nextIp: 2,
        ips: new Map(),
        ipsTaken: 0,
        lastEvictionCheck: 0,
        diskPressure: false,
      };
      rt.since = rt.behaviour.since ?? now;
      this.nodes.set(name, rt);
    } else if (rt.behaviourRaw !== raw) {
      rt.behaviourRaw = raw;
      rt.behaviour = nodeBehaviour(node.metadata.annotations);
      rt.since = rt.behaviour.since ?? now;
      rt.ipsTaken = 0;
    }
    return rt;
  }

  get(name: string): NodeRuntime | undefined {
    return this.nodes.get(name);
  }

  forget(name: string): void {
    this.nodes.delete(name);
  }

  names(): string[] {
    return [...this.nodes.keys()];
  }
}

/** Whether the node's kubelet still runs (hardware.failAfterHours stops it for good). */
export function kubeletAlive(rt: NodeRuntime, now: number): boolean {
  const fail = rt.behaviour.hardware.failAfterHours;
  return fail === undefined || now < rt.since + fail * 3_600_000;
}

/** Root filesystem capacity and available bytes at `now`. */
export function nodeFs(rt: NodeRuntime, now: number): { capacity: number; available: number } {
  const d = rt.behaviour.disk;
  const hours = Math.max(0, now - rt.since) / 3_600_000;
  const used = Math.min(d.capacityGi, Math.max(0, d.usedGi + d.fillGiPerHour * hours));
  return { capacity: d.capacityGi * GI, available: (d.capacityGi - used) * GI };
}

/** The pod CIDR the node IPAM controller gives the node: 10.244.<index>.0/24. */
export function podCidr(rt: NodeRuntime): string {
  return `10.244.${rt.index}.0/24`;
}

export function allocatePodIp(rt: NodeRuntime, podUid: string): string {
  const existing = rt.ips.get(podUid);
  if (existing) return existing;
  const ip = `10.244.${rt.index}.${rt.nextIp}`;
  rt.nextIp = rt.nextIp >= 254 ? 2 : rt.nextIp + 1;
  rt.ips.set(podUid, ip);
  rt.ipsTaken++;
  return ip;
}

export function releasePodIp(rt: NodeRuntime, podUid: string): void {
  if (rt.ips.delete(podUid)) rt.ipsTaken = Math.max(0, rt.ipsTaken - 1);
}

/** Whether the CNI can hand out another address: the subnet's free IPs are a budget. */
export function subnetHasFreeIp(rt: NodeRuntime): boolean {
  const free = rt.behaviour.subnetFreeIPs;
  return free === undefined || rt.ipsTaken < free;
}
