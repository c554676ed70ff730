import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import { fitTrend, normalCdf, TrendToLimitDetector } from "./trend-to-limit.ts";

const MiB = 2 ** 20;
const subject = { kind: "Deployment", namespace: "shop", name: "worker" };
const affected = { kind: "Pod", namespace: "shop", name: "worker-abc" };

function sample(t: number, v: number, limit = 256 * MiB) {
  return { series: "shop/worker-abc/worker", subject, affected, container: "worker", t, v, limit };
}

describe("trend-to-limit detector", () => {
  it("recovers the slope of a noisy line despite outliers", () => {
    const rnd = seededRandom(7);
    const ts = Array.from({ length: 30 }, (_, i) => i * 15_000);
    const vs = ts.map((t) => 100 * MiB + (t / 60_000) * 5 * MiB + (rnd() - 0.5) * MiB);
    vs[10] = 250 * MiB; // one wild scrape
    const trend = fitTrend(ts, vs, 256 * MiB);
    expect((trend?.slopePerMs ?? 0) * 60_000).toBeCloseTo(5 * MiB, -5);
    // 100 MiB + 5 MiB/min reaches 256 MiB at 31.2 min.
    expect((trend?.eta ?? 0) / 60_000).toBeCloseTo(31.2, 0);
  });

  it("predicts the OOM with its ETA once the trend is significant and within the horizon", () => {
    const d = new TrendToLimitDetector({ horizonMs: 30 * 60_000 });
    const found = [];
    for (let i = 0; i < 40; i++) {
      const t = i * 15_000;
      const f = d.observe(sample(t, 100 * MiB + (t / 60_000) * 8 * MiB));
      if (f) found.push(f);
    }
    const first = found[0];
    expect(first?.reason).toBe("OOMPredicted");
    expect(first?.kind).toBe("prediction");
    expect(first?.subject).toEqual(subject);
    // 100 MiB + 8 MiB/min hits 256 MiB at 19.5 min.
    expect((first?.eta ?? 0) / 60_000).toBeCloseTo(19.5, 1);
    expect(first?.confidence).toBeGreaterThan(0.99);
    expect(new Set(found.map((f) => f.id)).size).toBe(1);
  });

  it("stays silent for flat noisy memory and for growth too slow to matter", () => {
    const rnd = seededRandom(3);
    const d = new TrendToLimitDetector({ horizonMs: 60 * 60_000 });
    for (let i = 0; i < 100; i++) {
      expect(d.observe(sample(i * 15_000, 120 * MiB + rnd() * 4 * MiB))).toBeUndefined();
      const slow = { ...sample(i * 15_000, 10 * MiB + i * 1024), series: "slow" };
      expect(d.observe(slow)).toBeUndefined();
    }
  });

  it("starts over after the container restarts and keeps a bounded window", () => {
    const d = new TrendToLimitDetector({ window: 20, minSamples: 10, horizonMs: 60 * 60_000 });
    for (let i = 0; i < 30; i++) d.observe(sample(i * 15_000, 100 * MiB + i * 4 * MiB));
    expect(d.observe(sample(30 * 15_000, 20 * MiB))).toBeUndefined();
    expect(d.size).toBe(1);
  });

  it("computes the normal CDF", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(2.33)).toBeCloseTo(0.9901, 3);
    expect(normalCdf(-1.96)).toBeCloseTo(0.025, 3);
  });
});
