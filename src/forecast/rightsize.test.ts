import { describe, expect, it } from "vitest";
import { SimCluster } from "../sim/cluster.ts";
import { installScenario, loadScenario, scenarioClusterOptions } from "../sim/scenarios/index.ts";
import { backfillSamples } from "../sim/telemetry/backfill.ts";
import { emptySnapshot } from "../sources/kubernetes/snapshot.ts";
import {
  type ContainerUsage,
  nodeShapeAdvice,
  percentile,
  resourcesPatch,
  rightsize,
} from "./rightsize.ts";
import { collectUsage } from "./usage-collect.ts";

const MI = 2 ** 20;
const HOUR = 3_600_000;

function usage(over: Partial<ContainerUsage> = {}): ContainerUsage {
  const cpu = Array.from({ length: 200 }, (_, i) => 0.05 + (i % 100) / 1000); // 0.05..0.149 cores
  const mem = Array.from({ length: 200 }, (_, i) => (200 + (i % 50)) * MI); // peak 249Mi
  return {
    namespace: "shop",
    workload: { kind: "Deployment", name: "web" },
    container: "web",
    replicas: 3,
    cpuCores: [cpu, cpu.map((c) => c * 0.5)],
    memoryBytes: [mem, mem],
    historyMs: 14 * 24 * HOUR,
    current: { cpuRequestMilli: 500, memoryRequestBytes: 1024 * MI, memoryLimitBytes: 1024 * MI },
    ...over,
  };
}

describe("rightsize (KRR simple strategy)", () => {
  it("recommends CPU = max over pods of p95, no CPU limit, memory = peak + 15%", () => {
    const r = rightsize(usage());
    expect(r.cpu).toMatchObject({ skipped: false, request: 145 });
    expect(r.cpu.limit).toBeUndefined();
    expect(r.memory).toMatchObject({ skipped: false, request: Math.ceil(249 * 1.15) * MI });
    expect(r.monthlySavings).toBeGreaterThan(0);
  });

  it("skips with a reason when there is too little data or an HPA scales on the resource", () => {
    const r = rightsize(usage({ cpuCores: [[0.1, 0.2]], hpaResources: ["memory"] }));
    expect(r.cpu).toMatchObject({ skipped: true, reason: "too little data: 2 points (needs 100)" });
    expect(r.memory.skipped).toBe(true);
    expect(r.memory.reason).toMatch(/HPA scales this workload on memory/);
    const short = rightsize(usage({ historyMs: HOUR }));
    expect(short.cpu.reason).toMatch(/too little history: 1.0 h/);
  });

  it("is OOM-aware: never recommends below the limit the container was killed at + 25%", () => {
    const r = rightsize(usage({ oomKilledAtLimitBytes: 512 * MI }));
    expect(r.memory.request).toBe(640 * MI);
    expect(r.memory.reason).toMatch(/OOM-killed at 512Mi/);
  });

  it("applies KRR's floors of 10m CPU and 100Mi memory", () => {
    const idle = Array.from({ length: 150 }, () => 0.001);
    const r = rightsize(usage({ cpuCores: [idle], memoryBytes: [idle.map(() => 10 * MI)] }));
    expect(r.cpu.request).toBe(10);
    expect(r.memory.request).toBe(100 * MI);
  });

  it("interpolates percentiles like quantile_over_time", () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([0, 10], 95)).toBeCloseTo(9.5);
  });

  it("writes a strategic-merge patch that removes the CPU limit", () => {
    const patch = resourcesPatch([rightsize(usage())]);
    expect(patch).toEqual({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "web",
                resources: {
                  requests: { cpu: "145m", memory: "287Mi" },
                  limits: { cpu: null, memory: "287Mi" },
                },
              },
            ],
          },
        },
      },
    });
  });

  it("advises node shapes from the CPU:memory ratio", () => {
    // 145m and 287Mi per pod: 1.9 GiB per vCPU, a compute-optimized (1:2) shape.
    expect(nodeShapeAdvice([rightsize(usage())]).family).toBe("compute-optimized");
    const cache = rightsize(usage({ memoryBytes: [Array.from({ length: 200 }, () => 2048 * MI)] }));
    expect(nodeShapeAdvice([cache]).family).toBe("memory-optimized");
  });
});

describe("collectUsage on the simulator's history", () => {
  it("recommends from two weeks of the traffic-surge scenario's backfilled metrics", () => {
    const scenario = loadScenario("traffic-surge");
    const cluster = new SimCluster(scenarioClusterOptions(scenario));
    installScenario(cluster, scenario);
    cluster.step(30_000);
    const samples = backfillSamples(cluster, { days: 14, stepSeconds: 300 });
    const snap = {
      ...emptySnapshot(),
      pods: cluster.store.list("pods") as never[],
      replicaSets: cluster.store.list("replicasets.apps") as never[],
      deployments: cluster.store.list("deployments.apps") as never[],
    };
    const usages = collectUsage(samples, snap);
    const web = usages.find((u) => u.workload.name === "web");
    expect(web).toMatchObject({ workload: { kind: "Deployment" }, container: "web", replicas: 3 });
    expect(web?.historyMs).toBeGreaterThan(13 * 24 * HOUR);
    const rec = rightsize(web as ContainerUsage);
    // web: 40m base + 2m per request; 120 rps × 1.4 at the daily peak over 3 pods ≈ 56 rps/pod → ~150m
    // at the daily p95, the surge hours are rarer than 5% of the time. Requested 200m: a saving.
    expect(rec.cpu.request).toBeGreaterThan(100);
    expect(rec.cpu.request).toBeLessThan(200);
    // 180Mi base working set + 15% ≈ 210Mi (requested 256Mi).
    expect((rec.memory.request as number) / MI).toBeGreaterThan(200);
    expect((rec.memory.request as number) / MI).toBeLessThan(230);
  });
});
