/**
 * The prober (pkg/kubelet/prober): readiness and liveness probes run every periodSeconds
 * from initialDelaySeconds; the behaviour's `probesFailAfterSeconds` makes the endpoints fail
 * that long after the container started. failureThreshold consecutive failures make the
 * container unready (readiness) or get it killed and restarted (liveness).
 */
import { podBehaviour } from "../../behaviour.ts";
import type { KubeObject } from "../../store/types.ts";
import type { ContainerSpec } from "../pod-util.ts";
import {
  type ContainerRuntime,
  fieldPath,
  type KubeletEnv,
  kubeletSource,
  type PodRuntime,
  type ProbeState,
  terminate,
} from "./runtime.ts";

/** A probe's port may name one of the container's ports. */
function portOf(spec: ContainerSpec, port: number | string): number | string {
  if (typeof port === "number") return port;
  const named = (spec.ports ?? []).find((p: { name?: string }) => p.name === port);
  return named?.containerPort ?? port;
}

function failureOutput(
  spec: ContainerSpec,
  probe: ContainerSpec,
  podIP: string | undefined,
): string {
  if (probe.httpGet) return "HTTP probe failed with statuscode: 500";
  if (probe.tcpSocket) {
    return `dial tcp ${podIP}:${portOf(spec, probe.tcpSocket.port)}: connect: connection refused`;
  }
  if (probe.grpc)
    return `timeout: failed to connect service "${podIP}:${probe.grpc.port}" within 1s`;
  return "";
}

function due(state: ProbeState, probe: ContainerSpec, now: number): boolean {
  if (now < state.next) return false;
  state.next = now + (probe.periodSeconds ?? 10) * 1000;
  return true;
}

/** The startup probe holds back the other probes until it succeeds once. */
function startupDone(
  k: KubeletEnv,
  pod: KubeObject,
  prt: PodRuntime,
  spec: ContainerSpec,
  rt: ContainerRuntime,
  now: number,
  failing: boolean,
): boolean {
  const probe = spec.startupProbe;
  if (!probe || rt.startup.ok) return true;
  if (!due(rt.startup, probe, now)) return false;
  if (!failing) {
    rt.startup.ok = true;
    rt.liveness.next = Math.max(rt.liveness.next, now);
    rt.readiness.next = Math.max(rt.readiness.next, now);
    return true;
  }
  rt.startup.fails++;
  const src = kubeletSource(k.nodeName);
  const msg = `Startup probe failed: ${failureOutput(spec, probe, prt.podIP)}`;
  k.ctx.events.record(pod, "Warning", "Unhealthy", msg, src, fieldPath(rt));
  if (rt.startup.fails >= (probe.failureThreshold ?? 3)) {
    const kill = `Container ${rt.name} failed startup probe, will be restarted`;
    k.ctx.events.record(pod, "Normal", "Killing", kill, src, fieldPath(rt));
    terminate(rt, 137, "Error", now);
  }
  return false;
}

export function checkProbes(
  k: KubeletEnv,
  pod: KubeObject,
  prt: PodRuntime,
  spec: ContainerSpec,
  rt: ContainerRuntime,
  now: number,
): void {
  const after = podBehaviour(pod.metadata.annotations).probesFailAfterSeconds;
  const failing = after !== undefined && now >= rt.startedAt + after * 1000;
  const src = kubeletSource(k.nodeName);
  if (!startupDone(k, pod, prt, spec, rt, now, failing)) return;
  const ready = spec.readinessProbe;
  if (!ready) rt.ready = true;
  else if (due(rt.readiness, ready, now)) {
    if (!failing) {
      rt.readiness.fails = 0;
      rt.ready = true;
    } else {
      rt.readiness.fails++;
      const msg = `Readiness probe failed: ${failureOutput(spec, ready, prt.podIP)}`;
      k.ctx.events.record(pod, "Warning", "Unhealthy", msg, src, fieldPath(rt));
      if (rt.readiness.fails >= (ready.failureThreshold ?? 3)) rt.ready = false;
    }
  }
  const live = spec.livenessProbe;
  if (!live || !due(rt.liveness, live, now)) return;
  if (!failing) {
    rt.liveness.fails = 0;
    return;
  }
  rt.liveness.fails++;
  const msg = `Liveness probe failed: ${failureOutput(spec, live, prt.podIP)}`;
  k.ctx.events.record(pod, "Warning", "Unhealthy", msg, src, fieldPath(rt));
  if (rt.liveness.fails < (live.failureThreshold ?? 3)) return;
  k.ctx.events.record(
    pod,
    "Normal",
    "Killing",
    `Container ${rt.name} failed liveness probe, will be restarted`,
    src,
    fieldPath(rt),
  );
  terminate(rt, 137, "Error", now);
}
