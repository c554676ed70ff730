/**
 * The kubelets of every node, as one controller: for each pod bound to a node whose kubelet
 * is alive, mount volumes, create the sandbox (pod IP from the node's pod CIDR), run init
 * containers in order then the app containers, write the pod status, and carry out graceful
 * deletion. Also the pod garbage collector's orphan rule (pods on a deleted node go away).
 */
import type { Controller, SimContext } from "../../engine.ts";
import type { KubeObject } from "../../store/types.ts";
import type { ImageRegistry } from "../image-registry.ts";
import {
  allocatePodIp,
  kubeletAlive,
  type NodeRuntime,
  type NodeStates,
  releasePodIp,
} from "../node-state.ts";
import { observePressure } from "../node-status.ts";
import { type ContainerSpec, isTerminal } from "../pod-util.ts";
import { volumeError } from "./config.ts";
import { syncContainer } from "./container.ts";
import { evictionDue, measureMemory, runEviction } from "./eviction.ts";
import { buildStatus } from "./pod-status.ts";
import {
  type KubeletEnv,
  kubeletSource,
  newContainer,
  type PodRuntime,
  terminate,
} from "./runtime.ts";
import { podSandboxError } from "./sandbox.ts";

const MOUNT_BACKOFF_MS = 500;
const MOUNT_BACKOFF_MAX_MS = 122_000;
const SANDBOX_BACKOFF_MS = 5_000;
const SANDBOX_BACKOFF_MAX_MS = 60_000;

/** Everything of the runtime that shows in the pod status. */
function fingerprint(prt: PodRuntime): string {
  const parts: unknown[] = [prt.sandboxReady, prt.podIP];
  for (const c of prt.containers.values()) {
    parts.push(
      c.phase,
      c.waiting,
      c.terminated,
      c.lastTerminated,
      c.ready,
      c.restartCount,
      c.backingOff,
      c.startup.ok,
      c.containerID,
      c.imageID,
    );
  }
  return JSON.stringify(parts);
}

export class Kubelet implements Controller {
  readonly name = "kubelet";
  private readonly ctx: SimContext;
  private readonly images: ImageRegistry;
  private readonly states: NodeStates;
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly nodeImages = new Map<string, Set<string>>();

  constructor(ctx: SimContext, images: ImageRegistry, states: NodeStates) {
    this.ctx = ctx;
    this.images = images;
    this.states = states;
  }

  tick(now: number): void {
    const nodes = new Map(this.ctx.store.list("nodes").map((n) => [n.metadata.name as string, n]));
    const byNode = new Map<string, KubeObject[]>();
    const live = new Set<string>();
    for (const pod of this.ctx.store.list("pods")) {
      const nodeName = pod.spec?.nodeName as string | undefined;
      if (!nodeName) continue;
      live.add(pod.metadata.uid as string);
      if (!nodes.has(nodeName)) {
        this.remove(pod);
        continue;
      }
      const list = byNode.get(nodeName) ?? [];
      list.push(pod);
      byNode.set(nodeName, list);
    }
    for (const uid of this.runtimes.keys()) if (!live.has(uid)) this.runtimes.delete(uid);
    for (const [nodeName, pods] of byNode) {
      const node = nodes.get(nodeName) as KubeObject;
      const rt = this.states.get(nodeName);
      if (!rt || !node.status?.nodeInfo || !kubeletAlive(rt, now)) continue;
      const k = this.env(nodeName);
      for (const pod of pods) this.syncPod(k, node, rt, pod, now);
      rt.memoryAvailable = measureMemory(node, pods, now);
      observePressure(rt, now);
      if (!evictionDue(rt, now)) continue;
      const current = pods.flatMap(
        (p) => this.ctx.store.get("pods", p.metadata.namespace, p.metadata.name as string) ?? [],
      );
      runEviction(k, node, rt, current, this.runtimes, now);
    }
  }

  private env(nodeName: string): KubeletEnv {
    let images = this.nodeImages.get(nodeName);
    if (!images) {
      images = new Set();
      this.nodeImages.set(nodeName, images);
    }
    return { ctx: this.ctx, images: this.images, nodeName, nodeImages: images };
  }

  private runtime(pod: KubeObject, now: number): PodRuntime {
    const uid = pod.metadata.uid as string;
    let prt = this.runtimes.get(uid);
    if (prt) return prt;
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    prt = {
      uid,
      startTime: now,
      volumesOk: false,
      mountFailures: 0,
      mountRetryAt: 0,
      sandboxReady: false,
      sandboxFailures: 0,
      sandboxRetryAt: 0,
      containers: new Map(),
    };
    for (const c of pod.spec?.initContainers ?? [])
      prt.containers.set(c.name, newContainer(c.name, true));
    for (const c of pod.spec?.containers ?? []) {
      const rt = newContainer(c.name, false);
      if (hasInit) rt.waiting = { reason: "PodInitializing" };
      prt.containers.set(c.name, rt);
    }
    this.runtimes.set(uid, prt);
    return prt;
  }

  private syncPod(
    k: KubeletEnv,
    node: KubeObject,
    nrt: NodeRuntime,
    pod: KubeObject,
    now: number,
  ): void {
    if (pod.metadata.deletionTimestamp) {
      this.terminating(k, nrt, pod, now);
      return;
    }
    if (isTerminal(pod)) return;
    const prt = this.runtime(pod, now);
    if (this.prepare(k, node, nrt, pod, prt, now)) this.runContainers(k, pod, prt, now);
    this.writeStatus(pod, prt, now);
  }

  /** Volumes, then the sandbox; true once containers may run. */
  private prepare(
    k: KubeletEnv,
    node: KubeObject,
    nrt: NodeRuntime,
    pod: KubeObject,
    prt: PodRuntime,
    now: number,
  ): boolean {
    const src = kubeletSource(k.nodeName);
    if (!prt.volumesOk) {
      if (now < prt.mountRetryAt) return false;
      const err = volumeError(this.ctx.store, pod);
      if (err) {
        prt.mountFailures++;
        prt.mountRetryAt =
          now + Math.min(MOUNT_BACKOFF_MAX_MS, MOUNT_BACKOFF_MS * 2 ** prt.mountFailures);
        this.ctx.events.record(pod, "Warning", "FailedMount", err, src);
        return false;
      }
      prt.volumesOk = true;
    }
    if (!prt.sandboxReady) {
      if (now < prt.sandboxRetryAt) return false;
      const err = podSandboxError(nrt, pod, prt.sandboxFailures);
      if (err) {
        prt.sandboxFailures++;
        prt.sandboxRetryAt =
          now +
          Math.min(SANDBOX_BACKOFF_MAX_MS, SANDBOX_BACKOFF_MS * 2 ** (prt.sandboxFailures - 1));
        this.ctx.events.record(pod, "Warning", "FailedCreatePodSandBox", err, src);
        return false;
      }
      prt.sandboxReady = true;
      prt.podIP = pod.spec?.hostNetwork ? undefined : allocatePodIp(nrt, prt.uid);
      const addresses = (node.status?.addresses ?? []) as Array<{ type: string; address: string }>;
      prt.hostIP = addresses.find((a) => a.type === "InternalIP")?.address;
      if (pod.spec?.hostNetwork) prt.podIP = prt.hostIP;
    }
    return true;
  }

  private runContainers(k: KubeletEnv, pod: KubeObject, prt: PodRuntime, now: number): void {
    for (const c of (pod.spec?.initContainers ?? []) as ContainerSpec[]) {
      const rt = prt.containers.get(c.name);
      if (!rt) continue;
      if (rt.phase === "terminated" && rt.terminated?.exitCode === 0) continue;
      syncContainer(k, pod, prt, c, rt, now);
      if (!(rt.phase === "terminated" && rt.terminated?.exitCode === 0)) return;
    }
    for (const c of (pod.spec?.containers ?? []) as ContainerSpec[]) {
      const rt = prt.containers.get(c.name);
      if (!rt) continue;
      if (rt.waiting.reason === "PodInitializing") rt.waiting = { reason: "ContainerCreating" };
      syncContainer(k, pod, prt, c, rt, now);
    }
  }

  /** Writes the status when the runtime changed or someone else wrote the pod since our last write. */
  private writeStatus(pod: KubeObject, prt: PodRuntime, now: number): void {
    const { namespace, name } = pod.metadata;
    const current = this.ctx.store.get("pods", namespace, name as string);
    if (!current) return;
    const print = fingerprint(prt);
    if (print === prt.lastPrint && current.metadata.resourceVersion === prt.lastRv) return;
    const written = this.ctx.store.mutate("pods", namespace, name as string, (d) => {
      d.status = buildStatus(d, prt, now);
    });
    prt.lastPrint = print;
    prt.lastRv = written.metadata.resourceVersion;
  }

  /** Graceful deletion: stop the containers, then confirm with a grace-0 delete. */
  private terminating(k: KubeletEnv, nrt: NodeRuntime, pod: KubeObject, now: number): void {
    const prt = this.runtime(pod, now);
    if (prt.killingSince === undefined) {
      prt.killingSince = now;
      for (const c of prt.containers.values()) {
        if (c.phase !== "running") continue;
        this.ctx.events.record(
          pod,
          "Normal",
          "Killing",
          `Stopping container ${c.name}`,
          kubeletSource(k.nodeName),
          `spec.containers{${c.name}}`,
        );
        terminate(c, 0, "Completed", now);
      }
      if (!isTerminal(pod)) this.writeStatus(pod, prt, now);
    }
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 30;
    if (now - prt.killingSince < Math.min(grace, 2) * 1000) return;
    releasePodIp(nrt, prt.uid);
    this.remove(pod);
  }

  private remove(pod: KubeObject): void {
    const { namespace, name, uid } = pod.metadata;
    if (this.ctx.store.get("pods", namespace, name as string)) {
      this.ctx.store.delete("pods", namespace, name as string, { force: true });
    }
    this.ctx.logs.dropPod(namespace as string, name as string);
    this.runtimes.delete(uid as string);
  }
}
