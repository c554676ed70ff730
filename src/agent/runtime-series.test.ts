import { describe, expect, it } from "vitest";
import type { Sample } from "../sources/prometheus/scrape.ts";
import { SeriesBuffer } from "./runtime-series.ts";

const MiB = 2 ** 20;
const mem = (pod: string, t: number, v: number): Sample => ({
  name: "container_memory_working_set_bytes",
  labels: { namespace: "shop", pod, container: "app" },
  t,
  v,
});
const limit = (pod: string, t: number, v: number): Sample => ({
  name: "kube_pod_container_resource_limits",
  labels: { namespace: "shop", pod, container: "app", resource: "memory" },
  t,
  v,
});

describe("SeriesBuffer", () => {
  it("projects a steady leak to its limit and puts the band around the expectation", () => {
    const b = new SeriesBuffer();
    for (let i = 0; i < 40; i++)
      b.add([mem("leaky", i * 15_000, (100 + i) * MiB), limit("leaky", i * 15_000, 200 * MiB)]);
    const s = b.get("shop/leaky/app");
    const end = s?.forecast.at(-1);
    // 1 MiB per 15 s from 139 MiB at t=585 s: 61 MiB more takes 915 s.
    expect(end?.v).toBeCloseTo(200 * MiB, -3);
    expect(end?.t).toBeCloseTo(585_000 + 915_000, -3);
    expect(b.summaries()[0]?.reachesLimitAt).toBe(end?.t);
    const p = s?.points.at(-1);
    expect(p && p.lower < p.upper).toBe(true);
  });

  it("marks a sudden jump as an anomaly once the detector has warmed up", () => {
    const b = new SeriesBuffer();
    // The ensemble detector scores only after 250 points of statistics (ENSEMBLE_DEFAULTS).
    const n = 400;
    for (let i = 0; i < n; i++)
      b.add([mem("calm", i * 15_000, (100 + (i % 2)) * MiB + Math.sin(i) * 200_000)]);
    b.add([mem("calm", n * 15_000, 180 * MiB)]);
    const s = b.get("shop/calm/app");
    expect(s?.anomalies.map((a) => a.t)).toContain(n * 15_000);
    expect(s?.points.at(-1)?.v).toBeGreaterThan(s?.points.at(-1)?.upper ?? Infinity);
  });

  it("keeps the same series across scrapes of more containers than it keeps, and lets newer ones in", () => {
    const b = new SeriesBuffer({ maxSeries: 3 });
    const scrape = (t: number, pods: string[]) => b.add(pods.map((p) => mem(p, t, MiB)));
    const pods = ["a", "b", "c", "d", "e"];
    scrape(0, pods);
    const kept = b.ids();
    expect(kept).toHaveLength(3);
    for (let i = 1; i < 5; i++) scrape(i * 15_000, pods);
    expect(b.ids()).toEqual(kept);
    expect(b.summaries().map((s) => s.points)).toEqual([5, 5, 5]);
    // Only "z" is scraped now: it takes the place of a series not updated since.
    scrape(75_000, ["z"]);
    expect(b.ids()).toContain("shop/z/app");
    expect(b.ids()).toHaveLength(3);
  });

  it("ignores the pod cgroup and pause container and drops series of pods that are gone", () => {
    const b = new SeriesBuffer({ staleMs: 60_000 });
    b.add([
      mem("old", 0, MiB),
      { ...mem("old", 0, MiB), labels: { namespace: "shop", pod: "old", container: "POD" } },
      { ...mem("old", 0, MiB), labels: { namespace: "shop", pod: "old", container: "" } },
    ]);
    expect(b.ids()).toEqual(["shop/old/app"]);
    b.add([mem("new", 120_000, MiB)]);
    expect(b.ids()).toEqual(["shop/new/app"]);
  });
});
