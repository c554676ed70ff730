/**
 * The pod status the kubelet's status manager writes (kubelet_pods.go generateAPIPodStatus):
 * container statuses, phase (getPhase), and the PodReadyToStartContainers, Initialized,
 * Ready, ContainersReady conditions with their reasons.
 */
import { isoTime } from "../../../core/clock.ts";
import type { KubeObject } from "../../store/types.ts";
import { type Condition, type ContainerSpec, qosClass, setCondition } from "../pod-util.ts";
import type { ContainerRuntime, PodRuntime, Terminated } from "./runtime.ts";

function terminatedJson(t: Terminated): Record<string, unknown> {
  return {
    exitCode: t.exitCode,
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    startedAt: isoTime(t.startedAt),
    finishedAt: isoTime(t.finishedAt),
    ...(t.containerID ? { containerID: t.containerID } : {}),
  };
}

function containerStatus(spec: ContainerSpec, rt: ContainerRuntime): Record<string, unknown> {
  let state: Record<string, unknown>;
  if (rt.phase === "running") state = { running: { startedAt: isoTime(rt.startedAt) } };
  else if (rt.phase === "terminated" && rt.terminated && !rt.backingOff) {
    state = { terminated: terminatedJson(rt.terminated) };
  } else state = { waiting: { ...rt.waiting } };
  const last = rt.backingOff ? rt.terminated : rt.lastTerminated;
  return {
    name: rt.name,
    state,
    lastState: last ? { terminated: terminatedJson(last) } : {},
    ready: rt.ready && rt.phase === "running",
    restartCount: rt.restartCount,
    image: spec.image,
    imageID: rt.imageID ?? "",
    ...(rt.containerID ? { containerID: (rt.terminated ?? rt).containerID } : {}),
    started: rt.phase === "running" && (!spec.startupProbe || rt.startup.ok),
  };
}

/** getPhase: containers waiting after a previous run count as stopped, not waiting. */
export function podPhase(
  pod: KubeObject,
  prt: PodRuntime,
  initDone: boolean,
  initFailed: boolean,
): string {
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (initFailed && policy === "Never") return "Failed";
  if (!initDone) return "Pending";
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec?.containers ?? []) {
    const rt = prt.containers.get(c.name);
    if (!rt || rt.phase === "waiting") {
      if (rt?.lastTerminated) stopped++;
      else waiting++;
    } else if (rt.phase === "running") running++;
    else {
      stopped++;
      if (rt.terminated?.exitCode === 0) succeeded++;
    }
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (policy === "Always") return "Running";
  if (stopped === succeeded) return "Succeeded";
  return policy === "Never" ? "Failed" : "Running";
}

function unready(names: string[], reason: string, type: string): Condition {
  const what = type === "Initialized" ? "incomplete" : "unready";
  return {
    type,
    status: "False",
    reason,
    message: `containers with ${what} status: [${names.join(" ")}]`,
  };
}

export function buildStatus(pod: KubeObject, prt: PodRuntime, now: number): KubeObject["status"] {
  const inits = (pod.spec?.initContainers ?? []) as ContainerSpec[];
  const mains = (pod.spec?.containers ?? []) as ContainerSpec[];
  const rtOf = (c: ContainerSpec) => prt.containers.get(c.name);
  const initIncomplete = inits
    .filter((c) => rtOf(c)?.terminated?.exitCode !== 0)
    .map((c) => c.name as string);
  const initFailed = inits.some((c) => {
    const t = rtOf(c)?.terminated;
    return t !== undefined && t.exitCode !== 0;
  });
  const phase = podPhase(pod, prt, initIncomplete.length === 0, initFailed);
  const notReady = mains
    .filter((c) => !(rtOf(c)?.ready && rtOf(c)?.phase === "running"))
    .map((c) => c.name as string);
  const old = (pod.status ?? {}) as Record<string, unknown>;
  let conds = (old.conditions ?? []) as Condition[];
  const set = (c: Condition) => {
    conds = setCondition(conds, { ...c, lastProbeTime: null }, now);
  };
  set({ type: "PodReadyToStartContainers", status: prt.sandboxReady ? "True" : "False" });
  set(
    initIncomplete.length
      ? unready(initIncomplete, "ContainersNotInitialized", "Initialized")
      : { type: "Initialized", status: "True" },
  );
  const done = phase === "Succeeded" || phase === "Failed";
  for (const type of ["Ready", "ContainersReady"]) {
    if (done) set({ type, status: "False", reason: "PodCompleted" });
    else
      set(
        notReady.length ? unready(notReady, "ContainersNotReady", type) : { type, status: "True" },
      );
  }
  const ips = prt.podIP ? { podIP: prt.podIP, podIPs: [{ ip: prt.podIP }] } : {};
  const host = prt.hostIP ? { hostIP: prt.hostIP, hostIPs: [{ ip: prt.hostIP }] } : {};
  return {
    ...old,
    phase,
    conditions: sortConditions(conds),
    ...host,
    ...ips,
    startTime: isoTime(prt.startTime),
    ...(inits.length
      ? {
          initContainerStatuses: inits.map((c) =>
            containerStatus(c, rtOf(c) ?? placeholder(c, true)),
          ),
        }
      : {}),
    containerStatuses: mains.map((c) => containerStatus(c, rtOf(c) ?? placeholder(c, false))),
    qosClass: qosClass(pod),
  };
}

function placeholder(c: ContainerSpec, init: boolean): ContainerRuntime {
  return {
    name: c.name,
    init,
    phase: "waiting",
    waiting: { reason: init ? "PodInitializing" : "ContainerCreating" },
  } as ContainerRuntime;
}

const ORDER = [
  "PodReadyToStartContainers",
  "Initialized",
  "Ready",
  "ContainersReady",
  "PodScheduled",
];

function sortConditions(conds: Condition[]): Condition[] {
  const rank = (t: string) => {
    const i = ORDER.indexOf(t);
    return i < 0 ? ORDER.length : i;
  };
  return [...conds].sort((a, b) => rank(a.type) - rank(b.type));
}
