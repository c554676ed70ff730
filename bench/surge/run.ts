/**
 * `npm run bench:surge`: the traffic-surge scenario's Monday 09:00 2.5x surge on `shop/web`,
 * simulated second by second from 08:30 to 11:30, twice: with a reactive HPA only (CPU 70%,
 * min 3), and with the same HPA plus opsloop's predictive plan (four weeks of history →
 * forecast → minReplicas floors applied 5 min ahead, as the pre-scale runbook would). Pods need
 * 90 s of warm-up before they are ready (readiness initialDelaySeconds), the cold start that
 * reactive scaling pays during the surge. Reported: minutes in which per-pod load exceeded the
 * pod's capacity (latency climbs: the simulator's queueing model), the worst per-pod load, and
 * replica-minutes (cost). The anchor is qualitative: AWS predictive scaling exists to remove
 * exactly this lag; there is no published number for this setup.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { clusterHistory } from "../../src/forecast/history/simulated.ts";
import { planWorkload } from "../../src/forecast/plan-workload.ts";
import { minReplicasSchedule } from "../../src/forecast/scaling-manifests.ts";
import { formatTable } from "../../src/interfaces/cli/table.ts";
import { trafficRate } from "../../src/sim/behaviour.ts";
import { SimCluster } from "../../src/sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../src/sim/scenarios/index.ts";
import type { KubeObject } from "../../src/sim/store/types.ts";
import { behaviourOf } from "../../src/sim/telemetry/usage.ts";

const END = Date.parse("2026-01-05T11:30:00Z");
const WEB = { kind: "Deployment", namespace: "shop", name: "web" };

interface Result {
  variant: string;
  saturatedMinutes: number;
  worstPerPodRps: number;
  replicaMinutes: number;
  readyAt0900: number;
  wallMs: number;
}

function setup(): SimCluster {
  const scenario = loadScenario("traffic-surge");
  const cluster = new SimCluster(scenarioClusterOptions(scenario));
  installScenario(cluster, scenario);
  cluster.store.mutate("deployments.apps", "shop", "web", (d: KubeObject) => {
    const c = (
      d.spec as {
        template: { spec: { containers: { readinessProbe?: Record<string, unknown> }[] } };
      }
    ).template.spec.containers[0];
    if (c) c.readinessProbe = { ...(c.readinessProbe ?? {}), initialDelaySeconds: 90 };
  });
  cluster.step(120_000);
  cluster.apply([
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: "shop" },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        minReplicas: 3,
        maxReplicas: 20,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
          },
        ],
      },
    } as KubeObject,
  ]);
  return cluster;
}

function plan(cluster: SimCluster) {
  const w = planWorkload(clusterHistory(cluster, 28), WEB, {
    targetUtilization: 0.7,
    maxReplicas: 20,
  });
  return minReplicasSchedule(w.plan, 3);
}

function readyWebPods(cluster: SimCluster): number {
  return cluster.store
    .list("pods")
    .filter((p) => p.metadata.namespace === "shop" && p.metadata.name?.startsWith("web-"))
    .filter((p) =>
      (
        p.status as { conditions?: { type: string; status: string }[] } | undefined
      )?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    ).length;
}

function run(variant: "reactive HPA" | "HPA + opsloop plan"): Result {
  const started = performance.now();
  const cluster = setup();
  const schedule = variant === "reactive HPA" ? [] : plan(cluster);
  const pod = cluster.store
    .list("pods")
    .find((p) => p.metadata.name?.startsWith("web-")) as KubeObject;
  const b = behaviourOf(pod);
  const capacity = b.latency.capacityRps ?? Number.POSITIVE_INFINITY;
  let saturated = 0;
  let worst = 0;
  let replicaMinutes = 0;
  let readyAt0900 = 0;
  for (let t = cluster.clock.now(); t < END; t = cluster.clock.now()) {
    for (const change of schedule.filter((c) => c.at > t - 60_000 && c.at <= t)) {
      cluster.store.mutate(
        "horizontalpodautoscalers.autoscaling",
        "shop",
        "web",
        (h: KubeObject) => {
          (h.spec as { minReplicas: number }).minReplicas = change.minReplicas;
        },
      );
    }
    cluster.step(60_000);
    const now = cluster.clock.now();
    const ready = readyWebPods(cluster);
    if (now === Date.parse("2026-01-05T09:00:00Z")) readyAt0900 = ready;
    const perPod = trafficRate(b.traffic, now) / Math.max(1, ready);
    worst = Math.max(worst, perPod);
    if (perPod > capacity) saturated++;
    replicaMinutes += ready;
  }
  return {
    variant,
    saturatedMinutes: saturated,
    worstPerPodRps: Math.round(worst),
    replicaMinutes,
    readyAt0900,
    wallMs: Math.round(performance.now() - started),
  };
}

const results = [run("reactive HPA"), run("HPA + opsloop plan")];
process.stdout.write(
  `traffic-surge, shop/web, Monday 08:32-11:30 UTC, pod capacity ${90} rps, 90 s warm-up\n` +
    formatTable(
      [
        "VARIANT",
        "MINUTES SATURATED",
        "WORST RPS/POD",
        "READY AT 09:00",
        "REPLICA-MINUTES",
        "WALL MS",
      ],
      results.map((r) => [
        r.variant,
        String(r.saturatedMinutes),
        String(r.worstPerPodRps),
        String(r.readyAt0900),
        String(r.replicaMinutes),
        String(r.wallMs),
      ]),
    ),
);
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("../results/surge.json", import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
