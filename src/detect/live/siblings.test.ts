import { describe, expect, it } from "vitest";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { DetectPipeline } from "./pipeline.ts";

const T0 = Date.UTC(2026, 0, 5);
const OLD = ["checkout-7d9f8c6b5d-x2x4z", "checkout-7d9f8c6b5d-q9w8r", "checkout-7d9f8c6b5d-m5n6p"];
const NEW = ["checkout-5b7c9d4f8-hj2kl", "checkout-5b7c9d4f8-wz7tv", "checkout-5b7c9d4f8-b4c5d"];

/** Per-pod latency once a minute with a daily cycle and a little deterministic noise. */
function latency(pods: string[], from: number, minutes: number, factor = 1): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < minutes; i++) {
    const t = from + i * 60_000;
    pods.forEach((pod, j) => {
      const base = 0.1 + 0.02 * Math.sin((2 * Math.PI * t) / 86_400_000);
      const v = factor * (base + 0.002 * Math.sin(i * 1.7 + j));
      out.push({ name: "app_latency_seconds", labels: { namespace: "shop", pod }, t, v });
    });
  }
  return out;
}

describe("new replicas start from their workload's baseline", () => {
  it("catches a rollout whose new pods are three times slower, though their series are new", () => {
    const pipeline = new DetectPipeline();
    pipeline.observe(latency(OLD, T0, 2 * 1440));
    pipeline.observe(latency(NEW, T0 + 2 * 86_400_000, 10, 3));
    const found = pipeline.anomalies();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      reason: "LatencyIncrease",
      subject: { kind: "Deployment", namespace: "shop", name: "checkout" },
    });
    expect(found[0]?.affected.map((a) => a.name).sort()).toEqual([...NEW].sort());
  });

  it("stays quiet when the new pods behave like the old ones", () => {
    const pipeline = new DetectPipeline();
    pipeline.observe(latency(OLD, T0, 2 * 1440));
    pipeline.observe(latency(NEW, T0 + 2 * 86_400_000, 60));
    expect(pipeline.anomalies()).toEqual([]);
  });
});
