/**
 * One container's life in the kubelet (kuberuntime_manager SyncPod, per container): image,
 * config, create/start, what the process does (its `sh -c` script and the behaviour
 * annotation), OOM kills, exits, and restarts with the crash-loop back-off: the first restart
 * is immediate, then 10 s doubling to 5 min; the back-off is forgotten after 10 min.
 */
import { goDuration, isoTime } from "../../../core/clock.ts";
import { stableId } from "../../../core/ids.ts";
import { podBehaviour } from "../../behaviour.ts";
import { parseQuantity } from "../../quantity.ts";
import type { KubeObject } from "../../store/types.ts";
import { memoryBytes } from "../../telemetry/usage.ts";
import { type ContainerSpec, formatPod } from "../pod-util.ts";
import { expandRefs, resolveEnv } from "./config.ts";
import { ensureImage } from "./image-pull.ts";
import { checkProbes } from "./probes.ts";
import {
  type ContainerRuntime,
  fieldPath,
  type KubeletEnv,
  kubeletSource,
  type PodRuntime,
  terminate,
} from "./runtime.ts";
import { runScript, type ScriptPlan, shellScript } from "./shell.ts";

const BACKOFF_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const BACKOFF_GC_MS = 600_000;
const RETRY_MS = 10_000;

export function syncContainer(
  k: KubeletEnv,
  pod: KubeObject,
  prt: PodRuntime,
  spec: ContainerSpec,
  rt: ContainerRuntime,
  now: number,
): void {
  if (rt.image !== undefined && rt.image !== spec.image) definitionChanged(k, pod, rt, now);
  if (rt.phase === "running") {
    runChecks(k, pod, prt, spec, rt, now);
    return;
  }
  if (rt.phase === "terminated" && !restartDue(k, pod, rt, now)) return;
  tryStart(k, pod, prt, spec, rt, now);
}

/** A new image on a bare pod: the kubelet kills the container and starts the new one at once. */
function definitionChanged(
  k: KubeletEnv,
  pod: KubeObject,
  rt: ContainerRuntime,
  now: number,
): void {
  rt.image = undefined;
  rt.pullFailures = 0;
  rt.pullRetryAt = 0;
  rt.configRetryAt = 0;
  if (rt.phase === "waiting") return;
  if (rt.phase === "running") {
    const msg = `Container ${rt.name} definition changed, will be restarted`;
    k.ctx.events.record(pod, "Normal", "Killing", msg, kubeletSource(k.nodeName), fieldPath(rt));
    terminate(rt, 0, "Completed", now);
  }
  rt.lastTerminated = rt.terminated;
  rt.terminated = undefined;
  rt.backingOff = false;
  rt.restartCount++;
  rt.phase = "waiting";
  rt.waiting = { reason: "ContainerCreating" };
}

function shouldRestart(pod: KubeObject, rt: ContainerRuntime): boolean {
  const policy = pod.spec?.restartPolicy ?? "Always";
  const code = rt.terminated?.exitCode ?? 0;
  if (rt.init) return code !== 0 && policy !== "Never";
  return policy === "Always" || (policy === "OnFailure" && code !== 0);
}

/** kuberuntime_manager doBackOff: true when the container may start again now. */
function restartDue(k: KubeletEnv, pod: KubeObject, rt: ContainerRuntime, now: number): boolean {
  const t = rt.terminated;
  if (!t || !shouldRestart(pod, rt)) return false;
  if (rt.backoffMs > 0 && now - rt.backoffUpdatedAt > BACKOFF_GC_MS) rt.backoffMs = 0;
  if (rt.backoffMs > 0 && now - t.finishedAt < rt.backoffMs) {
    rt.backingOff = true;
    rt.waiting = {
      reason: "CrashLoopBackOff",
      message: `back-off ${goDuration(rt.backoffMs)} restarting failed container=${rt.name} pod=${formatPod(pod)}`,
    };
    if (now - rt.lastBackOffEvent >= RETRY_MS) {
      rt.lastBackOffEvent = now;
      const msg = `Back-off restarting failed container ${rt.name} in pod ${formatPod(pod)}`;
      k.ctx.events.record(pod, "Warning", "BackOff", msg, kubeletSource(k.nodeName), fieldPath(rt));
    }
    return false;
  }
  rt.backoffMs = rt.backoffMs ? Math.min(BACKOFF_MAX_MS, rt.backoffMs * 2) : BACKOFF_MS;
  rt.backoffUpdatedAt = now;
  rt.lastTerminated = t;
  rt.terminated = undefined;
  rt.backingOff = false;
  rt.restartCount++;
  rt.phase = "waiting";
  rt.waiting = { reason: "ContainerCreating" };
  return true;
}

function tryStart(
  k: KubeletEnv,
  pod: KubeObject,
  prt: PodRuntime,
  spec: ContainerSpec,
  rt: ContainerRuntime,
  now: number,
): void {
  rt.image = spec.image;
  if (now < rt.configRetryAt) return;
  if (!ensureImage(k, pod, spec, rt, fieldPath(rt), now)) return;
  const env = resolveEnv(k.ctx.store, pod, spec, { podIP: prt.podIP, hostIP: prt.hostIP });
  if (!env.ok) {
    rt.waiting = { reason: "CreateContainerConfigError", message: env.message };
    rt.configRetryAt = now + RETRY_MS;
    k.ctx.events.record(
      pod,
      "Warning",
      "Failed",
      `Error: ${env.message}`,
      kubeletSource(k.nodeName),
      fieldPath(rt),
    );
    return;
  }
  start(k, pod, spec, rt, env.env, now);
  runChecks(k, pod, prt, spec, rt, now);
}

function start(
  k: KubeletEnv,
  pod: KubeObject,
  spec: ContainerSpec,
  rt: ContainerRuntime,
  env: Record<string, string>,
  now: number,
): void {
  const { namespace, name, uid } = pod.metadata;
  if (rt.lastTerminated) k.ctx.logs.rotate(namespace as string, name as string, rt.name);
  rt.containerID = `containerd://${stableId(`${uid}/${rt.name}/${rt.restartCount}`, 64)}`;
  const src = kubeletSource(k.nodeName);
  k.ctx.events.record(
    pod,
    "Normal",
    "Created",
    `Created container: ${rt.name}`,
    src,
    fieldPath(rt),
  );
  k.ctx.events.record(pod, "Normal", "Started", `Started container ${rt.name}`, src, fieldPath(rt));
  rt.phase = "running";
  rt.startedAt = now;
  rt.plan = planFor(pod, spec, rt, env);
  rt.nextLine = 0;
  rt.everyIdx = 0;
  const every = podBehaviour(pod.metadata.annotations).logs;
  rt.nextEvery = every ? now + every.everySeconds * 1000 : Number.POSITIVE_INFINITY;
  rt.ready = false;
  const delay = (p: ContainerSpec) => now + (p?.initialDelaySeconds ?? 0) * 1000;
  rt.startup = { next: delay(spec.startupProbe), fails: 0, ok: false };
  rt.liveness = { next: delay(spec.livenessProbe), fails: 0, ok: false };
  rt.readiness = { next: delay(spec.readinessProbe), fails: 0, ok: false };
}

/** What this instance of the process prints and when it exits. */
function planFor(
  pod: KubeObject,
  spec: ContainerSpec,
  rt: ContainerRuntime,
  env: Record<string, string>,
): ScriptPlan {
  const b = podBehaviour(pod.metadata.annotations);
  const expand = (argv: string[] | undefined) => argv?.map((a) => expandRefs(a, env));
  const script = shellScript(expand(spec.command), expand(spec.args));
  const plan: ScriptPlan = script ? runScript(script, env) : { lines: [], exit: undefined };
  const lines = [...(b.logs?.start ?? []).map((text) => ({ at: 0, text })), ...plan.lines];
  let exit = plan.exit;
  if (!rt.init && b.crash && (!exit || b.crash.afterSeconds < exit.at)) {
    exit = { at: b.crash.afterSeconds, code: b.crash.exitCode };
    const kept = lines.filter((l) => l.at <= b.crash!.afterSeconds);
    return { lines: [...kept, ...b.crash.log.map((text) => ({ at: exit!.at, text }))], exit };
  }
  // An init container running a program we do not model is taken to finish its job.
  if (rt.init && !exit) exit = { at: 2, code: 0 };
  return { lines, exit };
}

function writeLogs(k: KubeletEnv, pod: KubeObject, rt: ContainerRuntime, now: number): void {
  const ns = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  const lines = rt.plan?.lines ?? [];
  while (rt.nextLine < lines.length) {
    const l = lines[rt.nextLine] as { at: number; text: string };
    const at = rt.startedAt + l.at * 1000;
    if (at > now) break;
    k.ctx.logs.append(ns, name, rt.name, at, l.text);
    rt.nextLine++;
  }
  const every = podBehaviour(pod.metadata.annotations).logs;
  while (every?.every.length && rt.nextEvery <= now) {
    const text = every.every[rt.everyIdx % every.every.length] as string;
    k.ctx.logs.append(ns, name, rt.name, rt.nextEvery, text);
    rt.everyIdx++;
    rt.nextEvery += every.everySeconds * 1000;
  }
}

function runChecks(
  k: KubeletEnv,
  pod: KubeObject,
  prt: PodRuntime,
  spec: ContainerSpec,
  rt: ContainerRuntime,
  now: number,
): void {
  writeLogs(k, pod, rt, now);
  const exit = rt.plan?.exit;
  if (exit && rt.startedAt + exit.at * 1000 <= now) {
    terminate(
      rt,
      exit.code,
      exit.code === 0 ? "Completed" : "Error",
      rt.startedAt + exit.at * 1000,
    );
    return;
  }
  const limit = spec.resources?.limits?.memory;
  if (limit !== undefined) {
    const view = {
      ...pod,
      status: {
        containerStatuses: [
          { name: rt.name, state: { running: { startedAt: isoTime(rt.startedAt) } } },
        ],
      },
    };
    if (memoryBytes(view, rt.name, now) > parseQuantity(limit)) {
      terminate(rt, 137, "OOMKilled", now);
      return;
    }
  }
  if (!rt.init) checkProbes(k, pod, prt, spec, rt, now);
}
