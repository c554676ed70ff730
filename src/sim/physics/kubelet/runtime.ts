/** The kubelet's in-memory view of its pods and containers (what containerd would know). */
import type { SimContext } from "../../engine.ts";
import type { KubeObject } from "../../store/types.ts";
import type { ImageRegistry } from "../image-registry.ts";
import type { ScriptPlan } from "./shell.ts";

export interface Terminated {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: number;
  finishedAt: number;
  containerID?: string;
}

export interface ProbeState {
  next: number;
  fails: number;
  ok: boolean;
}

export interface ContainerRuntime {
  name: string;
  init: boolean;
  phase: "waiting" | "running" | "terminated";
  waiting: { reason: string; message?: string };
  startedAt: number;
  terminated?: Terminated;
  lastTerminated?: Terminated;
  restartCount: number;
  containerID?: string;
  /** The spec image this container was (or is being) started from. */
  image?: string;
  imageID?: string;
  backoffMs: number;
  backoffUpdatedAt: number;
  /** Terminated and waiting out its restart back-off (shown as CrashLoopBackOff). */
  backingOff: boolean;
  lastBackOffEvent: number;
  pullFailures: number;
  pullRetryAt: number;
  configRetryAt: number;
  plan?: ScriptPlan;
  nextLine: number;
  nextEvery: number;
  everyIdx: number;
  ready: boolean;
  startup: ProbeState;
  liveness: ProbeState;
  readiness: ProbeState;
}

export interface PodRuntime {
  uid: string;
  startTime: number;
  volumesOk: boolean;
  mountFailures: number;
  mountRetryAt: number;
  sandboxReady: boolean;
  sandboxFailures: number;
  sandboxRetryAt: number;
  podIP?: string;
  hostIP?: string;
  containers: Map<string, ContainerRuntime>;
  killingSince?: number;
  /** What the last status write showed, and the pod's resourceVersion after it. */
  lastPrint?: string;
  lastRv?: string;
}

/** Everything a container sync needs: the simulation, the registry and the node's image cache. */
export interface KubeletEnv {
  ctx: SimContext;
  images: ImageRegistry;
  nodeName: string;
  nodeImages: Set<string>;
}

export function newContainer(name: string, init: boolean): ContainerRuntime {
  const probe = (): ProbeState => ({ next: 0, fails: 0, ok: false });
  return {
    name,
    init,
    phase: "waiting",
    waiting: { reason: init ? "PodInitializing" : "ContainerCreating" },
    startedAt: 0,
    restartCount: 0,
    backoffMs: 0,
    backoffUpdatedAt: 0,
    backingOff: false,
    lastBackOffEvent: Number.NEGATIVE_INFINITY,
    pullFailures: 0,
    pullRetryAt: 0,
    configRetryAt: 0,
    nextLine: 0,
    nextEvery: 0,
    everyIdx: 0,
    ready: false,
    startup: probe(),
    liveness: probe(),
    readiness: probe(),
  };
}

export function podKey(pod: KubeObject): { ns: string; name: string } {
  return { ns: pod.metadata.namespace as string, name: pod.metadata.name as string };
}

/** Event source for the kubelet on a node. */
export function kubeletSource(nodeName: string): { component: string; host: string } {
  return { component: "kubelet", host: nodeName };
}

/** The involvedObject.fieldPath of container events. */
export function fieldPath(c: ContainerRuntime): string {
  return `spec.${c.init ? "initContainers" : "containers"}{${c.name}}`;
}

export function terminate(
  rt: ContainerRuntime,
  exitCode: number,
  reason: string,
  at: number,
): void {
  rt.terminated = {
    exitCode,
    reason,
    startedAt: rt.startedAt,
    finishedAt: at,
    containerID: rt.containerID,
  };
  rt.phase = "terminated";
  rt.ready = false;
  rt.backingOff = false;
}
