import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import { trafficRate } from "../sim/behaviour.ts";
import { forecast } from "./forecast.ts";
import { simulatedHistory } from "./history/simulated.ts";
import { planWorkload } from "./plan-workload.ts";
import { kedaScaledObject, minReplicasSchedule, nodeCapacity } from "./scaling-manifests.ts";
import {
  measureCapacity,
  measureLatencyCapacity,
  planScaling,
  replicasFor,
} from "./scaling-plan.ts";

const HOUR = 3_600_000;
// The traffic-surge scenario's web workload: 120 rps, daily cycle, weekends lower, Monday 09:00 ×2.5.
const WEB = {
  rps: 120,
  dailyAmplitude: 0.4,
  peakHourUtc: 14,
  weekendFactor: 0.6,
  weeklySurge: { day: 1, hourUtc: 9, hours: 2, factor: 2.5 },
  noise: 0.03,
};
const MONDAY_0000 = Date.parse("2026-01-05T00:00:00Z");

function hourlyHistory(weeks: number): { times: number[]; values: number[] } {
  const random = seededRandom(7);
  const times: number[] = [];
  const values: number[] = [];
  for (let t = MONDAY_0000 - weeks * 7 * 24 * HOUR; t < MONDAY_0000; t += HOUR) {
    times.push(t);
    values.push(trafficRate(WEB, t) * (1 + 0.03 * (random() * 2 - 1)));
  }
  return { times, values };
}

describe("planScaling", () => {
  it("learns four weeks of traffic and raises the floor before Monday 09:00's 2.5x surge", () => {
    const history = hourlyHistory(4);
    const f = forecast(history.values, { horizon: 48 });
    const times = f.mean.map((_, h) => MONDAY_0000 + h * HOUR);
    const plan = planScaling({
      times,
      mean: f.mean,
      upper: f.upper,
      capacityPerReplica: 90,
      targetUtilization: 0.7,
      currentReplicas: 3,
      maxReplicas: 20,
      bufferMs: 5 * 60_000,
    });
    const surge = plan.windows.find(
      (w) => w.start <= MONDAY_0000 + 9 * HOUR - 5 * 60_000 && w.end >= MONDAY_0000 + 11 * HOUR,
    );
    expect(surge, JSON.stringify(plan.windows)).toBeDefined();
    // The true surge load (300 rps at 09:00 plus the daily cycle) fits under 70% of the floor.
    for (let t = MONDAY_0000 + 9 * HOUR; t < MONDAY_0000 + 11 * HOUR; t += 15 * 60_000) {
      const utilization = trafficRate(WEB, t) / ((surge?.replicas ?? 0) * 90);
      expect(utilization).toBeLessThan(0.75);
    }
  });

  it("never plans below the current replicas: no scale-in on a forecast", () => {
    const plan = planScaling({
      times: [0, HOUR, 2 * HOUR],
      mean: [10, 10, 10],
      capacityPerReplica: 100,
      targetUtilization: 0.5,
      currentReplicas: 4,
      maxReplicas: 10,
    });
    expect(plan.windows).toEqual([]);
    expect(plan.perStep).toEqual([1, 1, 1]);
  });

  it("caps at maxReplicas and says so", () => {
    const plan = planScaling({
      times: [0, HOUR],
      mean: [1000, 1000],
      capacityPerReplica: 10,
      targetUtilization: 1,
      currentReplicas: 1,
      maxReplicas: 5,
      bufferMs: 0,
    });
    expect(plan.windows).toEqual([
      { start: 0, end: 2 * HOUR, replicas: 5, peakRps: 1000, capped: true },
    ]);
  });

  it("rejects an inconsistent input with every problem listed", () => {
    expect(() =>
      planScaling({
        times: [0],
        mean: [],
        capacityPerReplica: 0,
        targetUtilization: 2,
        currentReplicas: 1,
        maxReplicas: 5,
      }),
    ).toThrow(/mean and times.*capacityPerReplica.*targetUtilization/);
  });

  it("sizes with the margin on top of the load", () => {
    const p = {
      times: [0],
      mean: [0],
      capacityPerReplica: 100,
      targetUtilization: 0.5,
      currentReplicas: 0,
      maxReplicas: 9,
    };
    expect(replicasFor(100, p)).toBe(2);
    expect(replicasFor(100, { ...p, margin: 0.2 })).toBe(3);
  });
});

describe("measureCapacity", () => {
  it("takes the median rps per replica at full utilisation", () => {
    const samples = [
      { rps: 90, replicas: 3, utilization: 0.5 },
      { rps: 180, replicas: 3, utilization: 1 },
      { rps: 120, replicas: 2, utilization: 1.2 },
      { rps: 1, replicas: 3, utilization: 0.01 },
    ];
    expect(measureCapacity(samples)).toBe(60);
    expect(() => measureCapacity(samples.slice(0, 2))).toThrow(/at least 3 samples/);
  });
});

const API = { kind: "Deployment", namespace: "shop", name: "api" };

describe("measureLatencyCapacity", () => {
  const at = (perReplica: number, latencyMs: number) => ({
    rps: perReplica * 2,
    replicas: 2,
    utilization: 0.3,
    latencyMs,
  });

  it("is the highest per-replica rate whose latency stayed within 1.5x the usual", () => {
    const samples = [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60].map((r) =>
      at(r, r <= 40 ? 30 : r <= 45 ? 44 : 90),
    );
    expect(measureLatencyCapacity(samples)).toBe(45);
  });

  it("finds no bound when latency never rose with load, or with too few samples", () => {
    const flat = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((r) => at(r, 30));
    expect(measureLatencyCapacity(flat)).toBeUndefined();
    expect(measureLatencyCapacity(flat.slice(0, 5).map((s) => ({ ...s, latencyMs: 500 })))).toBe(
      undefined,
    );
  });

  it("finds traffic-surge api's knee where the simulator's queueing puts it", () => {
    // app-model.ts: latency × 0.5/(1-ρ) above ρ = 0.5, so 1.5x the usual at ρ = 2/3 of 70 rps.
    const history = simulatedHistory("traffic-surge", 28);
    const w = planWorkload(history, API, { latencyAware: true });
    expect(w.latencyCapacity).toBeGreaterThan((70 * 2) / 3 - 4);
    expect(w.latencyCapacity).toBeLessThan((70 * 2) / 3 + 1);
    // api's CPU (250m requested, ~90m used at 70 rps) would size it at ~150 rps per replica.
    expect(planWorkload(history, API).capacityPerReplica).toBeGreaterThan(120);
    expect(w.capacityPerReplica).toBeCloseTo((w.latencyCapacity as number) / 0.7, 6);
  }, 60_000);
});

describe("scaling manifests", () => {
  const plan = {
    perStep: [],
    windows: [
      {
        start: Date.parse("2026-01-05T08:55:00Z"),
        end: Date.parse("2026-01-05T11:00:00Z"),
        replicas: 6,
        peakRps: 310,
        capped: false,
      },
    ],
  };

  it("writes a KEDA ScaledObject with a dated cron trigger per window and a reactive CPU trigger", () => {
    const so = kedaScaledObject({ namespace: "shop", name: "web" }, plan, {
      minReplicas: 3,
      maxReplicas: 20,
    });
    expect(so).toMatchObject({
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "web" },
        triggers: [
          {
            type: "cron",
            metadata: {
              timezone: "Etc/UTC",
              start: "55 8 5 1 *",
              end: "0 11 5 1 *",
              desiredReplicas: "6",
            },
          },
          { type: "cpu", metricType: "Utilization" },
        ],
      },
    });
  });

  it("schedules the HPA floor up and back, never below the baseline", () => {
    const changes = minReplicasSchedule(plan, 3);
    expect(changes.map((c) => c.minReplicas)).toEqual([6, 3]);
    expect(changes[0]?.at).toBe(plan.windows[0]?.start);
  });

  it("computes the nodes and NodePool limits the peak needs", () => {
    const cap = nodeCapacity(
      plan,
      { cpuMilli: 200, memoryBytes: 256 * 2 ** 20 },
      { cpuMilli: 1000, memoryBytes: 4 * 2 ** 30 },
    );
    expect(cap.nodes).toBe(2);
    expect(cap.nodePoolLimits).toEqual({ cpu: "2", memory: "8Gi" });
  });
});
