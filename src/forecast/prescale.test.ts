import type { V2HorizontalPodAutoscaler } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { WorkloadPlan } from "./plan-workload.ts";
import {
  episodeSchedule,
  PRESCALE_BASELINE,
  PRESCALE_UNTIL,
  prescaleEpisodes,
  prescaleFindings,
  SURGE_PREDICTED,
  SURGE_WINDOW_ENDED,
} from "./prescale.ts";
import type { ScalingPlan, ScalingWindow } from "./scaling-plan.ts";

const at = (hhmm: string) => Date.parse(`2026-01-05T${hhmm}:00Z`);
const win = (start: string, end: string, replicas: number): ScalingWindow => ({
  start: at(start),
  end: at(end),
  replicas,
  peakRps: replicas * 40,
  capped: false,
});
const plan = (...windows: ScalingWindow[]): ScalingPlan => ({ windows, perStep: [] });
const workload = (p: ScalingPlan) =>
  ({ plan: p, model: "mstl", capacityPerReplica: 60 }) as unknown as WorkloadPlan;
const hpa = (
  over: { min?: number; max?: number; current?: number; annotations?: Record<string, string> } = {},
): V2HorizontalPodAutoscaler => ({
  metadata: { name: "web", namespace: "shop", annotations: over.annotations },
  spec: {
    scaleTargetRef: { kind: "Deployment", name: "web" },
    minReplicas: over.min ?? 3,
    maxReplicas: over.max ?? 20,
  },
  status: { currentReplicas: over.current ?? 3, desiredReplicas: over.current ?? 3 },
});
const surge = plan(win("08:55", "09:55", 9), win("09:55", "11:00", 10), win("11:00", "16:00", 5));
const plans = new Map([["shop/web", workload(surge)]]);

describe("prescale episodes", () => {
  it("merges contiguous rising windows at their highest floor and ends at a falling one", () => {
    expect(prescaleEpisodes(surge).map((e) => [e.start, e.end, e.replicas])).toEqual([
      [at("08:55"), at("11:00"), 10],
      [at("11:00"), at("16:00"), 5],
    ]);
    const gap = plan(win("08:55", "09:00", 4), win("10:00", "11:00", 6));
    expect(prescaleEpisodes(gap)).toHaveLength(2);
  });

  it("schedules one raise and one restore per episode", () => {
    expect(episodeSchedule(surge, 3).slice(0, 2)).toEqual([
      { at: at("08:55"), minReplicas: 10 },
      { at: at("11:00"), minReplicas: 3 },
    ]);
  });
});

describe("prescale findings", () => {
  it("says nothing before the episode's buffered start", () => {
    expect(prescaleFindings([hpa()], plans, at("08:54"))).toEqual([]);
  });

  it("predicts the surge on the HPA from the buffered start, with the floor and the end", () => {
    const [f] = prescaleFindings([hpa()], plans, at("08:55"));
    expect(f).toMatchObject({
      reason: SURGE_PREDICTED,
      kind: "prediction",
      subject: { kind: "HorizontalPodAutoscaler", namespace: "shop", name: "web" },
      affected: [{ kind: "Deployment", name: "web" }],
      eta: at("09:00"),
      fix: {
        patch: {
          spec: { minReplicas: 10 },
          metadata: { annotations: { [PRESCALE_UNTIL]: "2026-01-05T11:00:00Z" } },
        },
      },
    });
  });

  it("is silent when the HPA already has the floor, in minReplicas or in replicas", () => {
    expect(prescaleFindings([hpa({ min: 10 })], plans, at("09:30"))).toEqual([]);
    expect(prescaleFindings([hpa({ current: 12 })], plans, at("09:30"))).toEqual([]);
  });

  it("caps the floor at maxReplicas and says so", () => {
    const [f] = prescaleFindings([hpa({ max: 8 })], plans, at("09:00"));
    expect(f).toMatchObject({ severity: "critical", fix: { patch: { spec: { minReplicas: 8 } } } });
  });

  it("announces the end only once the recorded end has passed, and nothing else meanwhile", () => {
    const raised = hpa({
      min: 10,
      current: 10,
      annotations: { [PRESCALE_UNTIL]: "2026-01-05T11:00:00Z", [PRESCALE_BASELINE]: "3" },
    });
    expect(prescaleFindings([raised], plans, at("10:59"))).toEqual([]);
    const [f] = prescaleFindings([raised], plans, at("11:00"));
    expect(f).toMatchObject({ reason: SURGE_WINDOW_ENDED, eta: at("11:00") });
    expect(f?.rootCause).toMatch(/goes back to 3/);
  });
});
