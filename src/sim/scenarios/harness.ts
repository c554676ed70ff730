/** Helpers for scenario tests and benchmarks: build a cluster for a scenario and read its state. */
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { installScenario, loadScenario, scenarioClusterOptions } from "./index.ts";
import type { ScenarioTimeline } from "./timeline.ts";

export interface ScenarioRun {
  cluster: SimCluster;
  timeline: ScenarioTimeline;
}

/** `tickMs` above 1 s trades precision for speed in scenarios that play out over hours. */
export function startScenario(
  name: string,
  opts: { seed?: number; tickMs?: number } = {},
): ScenarioRun {
  const scenario = loadScenario(name);
  const cluster = new SimCluster({
    ...scenarioClusterOptions(scenario),
    seed: opts.seed ?? 1,
    tickMs: opts.tickMs,
  });
  const timeline = installScenario(cluster, scenario);
  return { cluster, timeline };
}

export function podsOf(cluster: SimCluster, namespace: string, prefix: string): KubeObject[] {
  return cluster.store
    .list("pods", { namespace })
    .filter((p) => (p.metadata.name as string).startsWith(`${prefix}-`));
}

export interface ContainerStatusView {
  name: string;
  ready?: boolean;
  restartCount: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; exitCode?: number };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number; message?: string } };
}

export function containerStatus(pod: KubeObject, index = 0): ContainerStatusView | undefined {
  return (pod.status?.containerStatuses as ContainerStatusView[] | undefined)?.[index];
}

export function eventsWith(cluster: SimCluster, reason: string, namespace?: string): KubeObject[] {
  return cluster.store
    .list("events", namespace ? { namespace } : {})
    .filter((e) => (e as { reason?: string }).reason === reason);
}

/** Values of a metric family's samples whose labels include all of `match`. */
export function metricValues(
  text: string,
  name: string,
  match: Record<string, string> = {},
): number[] {
  const out: number[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) out.push(Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return out;
}

export function podCondition(
  pod: KubeObject,
  type: string,
): { status?: string; reason?: string; message?: string } | undefined {
  const conds = (pod.status?.conditions ?? []) as Array<{
    type: string;
    status?: string;
    reason?: string;
    message?: string;
  }>;
  return conds.find((c) => c.type === type);
}
