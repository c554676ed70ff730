/**
 * History from a simulated scenario: installs it in an in-process simulator, lets the pods
 * schedule, and backfills N days of the workloads' healthy metrics (src/sim/telemetry/backfill).
 * This is what `opsloop rightsize|plan-scaling --scenario` read, so the commands can be tried
 * without a cluster; against a real cluster the same samples come from Prometheus.
 */
import { OpsloopError } from "../../core/errors.ts";
import { SimCluster } from "../../sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../sim/scenarios/index.ts";
import { backfillSamples } from "../../sim/telemetry/backfill.ts";
import { type ClusterSnapshot, emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import type { UsageSample } from "../usage-collect.ts";

export interface History {
  snap: ClusterSnapshot;
  samples: UsageSample[];
  /** End of the history: "now" for plans. */
  end: number;
}

export function simulatedHistory(scenarioName: string, days: number, stepSeconds = 300): History {
  let scenario: ReturnType<typeof loadScenario>;
  try {
    scenario = loadScenario(scenarioName);
  } catch (e) {
    throw new OpsloopError("invalid_input", (e as Error).message, { cause: e });
  }
  const cluster = new SimCluster(scenarioClusterOptions(scenario));
  installScenario(cluster, scenario);
  cluster.step(30_000);
  return clusterHistory(cluster, days, stepSeconds);
}

/** History of a simulated cluster whose pods are scheduled: its objects now and N days of metrics. */
export function clusterHistory(cluster: SimCluster, days: number, stepSeconds = 300): History {
  const list = (r: string) => cluster.store.list(r) as never[];
  const snap: ClusterSnapshot = {
    ...emptySnapshot(),
    pods: list("pods"),
    replicaSets: list("replicasets.apps"),
    deployments: list("deployments.apps"),
    statefulSets: list("statefulsets.apps"),
    horizontalPodAutoscalers: list("horizontalpodautoscalers.autoscaling"),
    nodes: list("nodes"),
  };
  const end = cluster.clock.now();
  const samples = [...backfillSamples(cluster, { days, stepSeconds, end })];
  return { snap, samples, end };
}
