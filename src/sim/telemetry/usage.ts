/**
 * Resource usage of simulated containers and traffic of workloads, derived from the behaviour
 * annotation and the pod's status. One definition shared by the kubelet (OOM), the HPA model
 * and the metrics endpoint, so that what is measured is what happens.
 */
import { type PodBehaviour, podBehaviour, trafficRate } from "../behaviour.ts";
import type { KubeObject } from "../store/types.ts";

const MI = 1024 * 1024;

/** Start time (ms) of a container's current instance, or undefined if it is not running. */
export function containerStartedAt(pod: KubeObject, container: string): number | undefined {
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{
    name: string;
    state?: { running?: { startedAt?: string } };
  }>;
  const s = statuses.find((c) => c.name === container);
  const started = s?.state?.running?.startedAt;
  return started ? Date.parse(started) : undefined;
}

export function behaviourOf(pod: KubeObject): PodBehaviour {
  return podBehaviour(pod.metadata.annotations);
}

/** Working-set bytes of a running container at `now` (0 when not running). */
export function memoryBytes(pod: KubeObject, container: string, now: number): number {
  const started = containerStartedAt(pod, container);
  if (started === undefined) return 0;
  const b = behaviourOf(pod).memory;
  const minutes = Math.max(0, now - started) / 60_000;
  return Math.round((b.baseMi + b.leakMiPerMinute * minutes) * MI);
}

/**
 * Requests per second one pod serves at `now`: the workload's rate split over its
 * `readyPods` pods. `noise` is a sample from N(0,1) supplied by the caller (deterministic RNG).
 */
export function podRequestRate(pod: KubeObject, now: number, readyPods: number, noise = 0): number {
  const t = behaviourOf(pod).traffic;
  const total = trafficRate(t, now) * (1 + t.noise * noise);
  return Math.max(0, total / Math.max(1, readyPods));
}

/** CPU millicores used by a running container serving `rps` requests per second. */
export function cpuMillicores(pod: KubeObject, container: string, rps: number): number {
  if (containerStartedAt(pod, container) === undefined) return 0;
  const c = behaviourOf(pod).cpu;
  return c.baseMilli + c.perRequestMilli * rps;
}
