import { describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { containerStatus, podsOf } from "../../sim/scenarios/harness.ts";
import { DetectPipeline } from "./pipeline.ts";
import { runLive, scenarioWithHistory } from "./sim-run.ts";

describe("live detection on the simulator", () => {
  it("finds nothing in a healthy week of history and the three live hours after it", () => {
    const pipeline = new DetectPipeline();
    const cluster = scenarioWithHistory("healthy", pipeline);
    expect(pipeline.stats().samples).toBeGreaterThan(400_000);
    expect(pipeline.findings()).toEqual([]);
    const seen: Finding[] = [];
    runLive(cluster, pipeline, 180, 15, (_now, fs) => {
      seen.push(...fs);
      return undefined;
    });
    expect(pipeline.stats().detectors).toBeGreaterThan(40);
    expect(seen.map((f) => f.rootCause)).toEqual([]);
  }, 60_000);

  it("stays quiet across the weekend's start, a step it saw in last week's history", () => {
    const pipeline = new DetectPipeline();
    // Friday 20:00 UTC: the simulator's traffic steps down at Saturday 00:00, as it did a week
    // ago. Nine days of history, so last Saturday's step came after the detectors had warmed up.
    const start = Date.UTC(2026, 0, 9, 20);
    const cluster = scenarioWithHistory("healthy", pipeline, { start, historyDays: 9 });
    const seen = new Set<string>();
    runLive(cluster, pipeline, 6 * 60, 60, (_now, fs) => {
      for (const f of fs) seen.add(f.rootCause);
      return undefined;
    });
    expect([...seen]).toEqual([]);
  }, 60_000);

  it("sees the latency cascade reach api and web within minutes of the database slowing down", () => {
    const pipeline = new DetectPipeline();
    // The backfill carries every request code and the duration histogram's _count/_sum, as the
    // live /metrics do, so the callers' error series are warm when the fault begins at 3m.
    const cluster = scenarioWithHistory("latency-cascade", pipeline);
    const faultAt = cluster.clock.now() + 2 * 60_000; // 3m into the scenario; 1m has settled
    const firstSeen = new Map<string, number>();
    runLive(cluster, pipeline, 15, 15, (now, fs) => {
      for (const f of fs) {
        const key = `${f.subject.namespace}/${f.subject.name}`;
        if (!firstSeen.has(key)) firstSeen.set(key, now);
      }
      return undefined;
    });
    for (const w of ["shop/api", "shop/web"]) {
      const at = firstSeen.get(w);
      expect(at, `${w}: ${[...firstSeen.keys()]}`).toBeDefined();
      expect((at ?? 0) - faultAt).toBeLessThanOrEqual(5 * 60_000);
    }
  }, 60_000);

  it("predicts DiskPressure on the filling node well before the kubelet reports it", () => {
    const pipeline = new DetectPipeline();
    const cluster = scenarioWithHistory("disk-pressure", pipeline);
    const start = cluster.clock.now();
    let first: Finding | undefined;
    let firstAt = 0;
    let pressure = false;
    runLive(cluster, pipeline, 40, 30, (now, fs) => {
      first ??= fs.find((f) => f.reason === "DiskPressurePredicted");
      if (first && !firstAt) firstAt = now;
      const node = cluster.store.get("nodes", undefined, "node-b-1");
      const conds = (node?.status?.conditions ?? []) as { type: string; status: string }[];
      pressure = conds.some((c) => c.type === "DiskPressure" && c.status === "True");
      return pressure;
    });
    const pressureAt = cluster.clock.now();
    expect(pressure).toBe(true);
    expect(first?.subject).toEqual({ kind: "Node", name: "node-b-1" });
    expect(first?.kind).toBe("prediction");
    expect(first?.rootCause).toMatch(/fills at 4\d\.\d GiB\/h/);
    expect(firstAt - start).toBeLessThanOrEqual(20 * 60_000);
    // The ETA lands within a few minutes of when the kubelet actually reports DiskPressure.
    expect(Math.abs((first?.eta ?? 0) - pressureAt)).toBeLessThan(5 * 60_000);
  }, 60_000);

  it("warns of the worker's OOM at least ten minutes before the OOMKill, one finding for the workload", () => {
    const pipeline = new DetectPipeline();
    const cluster = scenarioWithHistory("memory-leak", pipeline);
    let warnedAt = 0;
    let warning: Finding | undefined;
    let killed = false;
    runLive(cluster, pipeline, 45, 15, (now, fs) => {
      const oom = fs.filter((f) => f.reason === "OOMPredicted");
      if (oom.length && !warnedAt) {
        warnedAt = now;
        warning = oom[0];
        expect(oom).toHaveLength(1);
      }
      killed = podsOf(cluster, "batch", "worker").some(
        (p) => containerStatus(p)?.lastState?.terminated?.reason === "OOMKilled",
      );
      return killed;
    });
    const killedAt = cluster.clock.now();
    expect(killed).toBe(true);
    expect(warning?.subject).toMatchObject({
      kind: "Deployment",
      namespace: "batch",
      name: "worker",
    });
    expect(warnedAt).toBeGreaterThan(0);
    expect(killedAt - warnedAt).toBeGreaterThanOrEqual(10 * 60_000);
  }, 60_000);

  it("flags the degrading node's hardware as one anomaly per metric, on that node only", () => {
    const pipeline = new DetectPipeline();
    const cluster = scenarioWithHistory("node-degradation", pipeline);
    const seen = new Map<string, Finding>();
    runLive(cluster, pipeline, 90, 30, (_now, fs) => {
      for (const f of fs) seen.set(f.id, f);
      return undefined;
    });
    const hardware = [...seen.values()].filter((f) => f.reason === "HardwareDegradation");
    expect(hardware.length).toBeGreaterThan(0);
    expect(new Set(hardware.map((f) => f.subject.name))).toEqual(new Set(["node-c-1"]));
    expect(hardware.every((f) => f.kind === "anomaly")).toBe(true);
  }, 60_000);
});
