/**
 * Right-sizing against a known truth: the simulator's usage model says what each container
 * really uses (src/sim/telemetry/usage.ts: CPU = baseMilli + perRequestMilli × the pod's share of
 * the workload's request rate; working set = baseMi in the healthy history), so the need can be
 * computed without looking at the metrics the recommender reads. The known need, in KRR's terms
 * (docs/predict.md, "Right-sizing against a known need"):
 * - CPU: the 95th percentile over the history of the true, noise-free usage;
 * - memory: the true peak working set + the 15% headroom KRR documents for what the window
 *   did not see.
 * The recommender reads the backfilled metrics (3% traffic noise, 1% memory noise, counter rates
 * over 5 min) and must land within 10% of both, and never below the peak memory it observed.
 */
import { describe, expect, it } from "vitest";
import { trafficRate } from "../sim/behaviour.ts";
import type { KubeObject } from "../sim/store/types.ts";
import { isPodReady, workloadKey } from "../sim/telemetry/app-model.ts";
import { behaviourOf } from "../sim/telemetry/usage.ts";
import { type History, simulatedHistory } from "./history/simulated.ts";
import { type ContainerUsage, percentile, rightsize } from "./rightsize.ts";
import { collectUsage } from "./usage-collect.ts";

const MI = 2 ** 20;
const STEP_MS = 300_000;
const DAYS = 14;

interface KnownNeed {
  cpuMilli: number;
  memoryBytes: number;
}

function knownNeed(h: History, u: ContainerUsage): KnownNeed {
  const pods = (h.snap.pods as unknown as KubeObject[]).filter(
    (p) => workloadKey(p) === `${u.namespace}/${u.workload.name}`,
  );
  const ready = pods.filter(isPodReady).length;
  const b = behaviourOf(pods[0] as KubeObject);
  const cpu: number[] = [];
  for (let t = h.end - DAYS * 86_400_000; t < h.end; t += STEP_MS) {
    cpu.push(b.cpu.baseMilli + (b.cpu.perRequestMilli * trafficRate(b.traffic, t)) / ready);
  }
  return { cpuMilli: percentile(cpu, 95), memoryBytes: b.memory.baseMi * MI * 1.15 };
}

const within = (got: number, want: number) => Math.abs(got - want) / want;

describe.each(["traffic-surge", "healthy"])("right-sizing %s against the known need", (name) => {
  const h = simulatedHistory(name, DAYS, STEP_MS / 1000);
  const usages = collectUsage(h.samples, h.snap).filter((u) => u.namespace !== "kube-system");

  it("recommends for every serving container, none skipped", () => {
    expect(usages.length).toBeGreaterThanOrEqual(2);
    for (const u of usages) {
      const r = rightsize(u);
      expect(r.cpu.skipped, `${u.workload.name}: ${r.cpu.reason}`).toBe(false);
      expect(r.memory.skipped, `${u.workload.name}: ${r.memory.reason}`).toBe(false);
    }
  });

  it("lands within 10% of the known CPU and memory need", () => {
    for (const u of usages) {
      const need = knownNeed(h, u);
      const r = rightsize(u);
      const cpuOff = within(r.cpu.request as number, need.cpuMilli);
      const memOff = within(r.memory.request as number, need.memoryBytes);
      expect(cpuOff, `${u.workload.name} cpu ${r.cpu.request}m vs ${need.cpuMilli}m`).toBeLessThan(
        0.1,
      );
      expect(memOff, `${u.workload.name} memory vs ${need.memoryBytes / MI}Mi`).toBeLessThan(0.1);
    }
  });

  it("never recommends memory below the observed peak working set", () => {
    for (const u of usages) {
      const peak = Math.max(...u.memoryBytes.flat());
      expect(rightsize(u).memory.request as number).toBeGreaterThanOrEqual(peak);
    }
  });

  it("is a test that can fail: the scenario's own requests miss the need by more than 10%", () => {
    const misses = usages.filter((u) => {
      const need = knownNeed(h, u);
      const cpu = u.current.cpuRequestMilli as number;
      return within(cpu, need.cpuMilli) > 0.1;
    });
    expect(misses.length).toBeGreaterThan(0);
  });
});
