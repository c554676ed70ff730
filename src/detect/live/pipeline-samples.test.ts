import { describe, expect, it } from "vitest";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { DetectPipeline } from "./pipeline.ts";

const T0 = Date.UTC(2026, 0, 5);
const MI = 2 ** 20;
const labels = { namespace: "batch", pod: "worker-6868f8bc65-sjvvf", container: "worker" };

/** A container leaking 10 MiB a minute toward a 400 MiB limit, with staleness markers mixed in. */
function leak(minutes: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < minutes; i++) {
    const t = T0 + i * 60_000;
    out.push({ name: "container_spec_memory_limit_bytes", labels, t, v: 400 * MI });
    out.push({ name: "container_memory_working_set_bytes", labels, t, v: (100 + 10 * i) * MI });
    out.push({ name: "container_memory_working_set_bytes", labels, t: t + 30_000, v: Number.NaN });
  }
  return out;
}

describe("the pipeline's handling of samples", () => {
  it("ignores Prometheus staleness markers (NaN) instead of learning from them", () => {
    const pipeline = new DetectPipeline();
    pipeline.observe(leak(15));
    const [oom] = pipeline.predictions();
    expect(oom).toMatchObject({
      reason: "OOMPredicted",
      subject: { kind: "Deployment", namespace: "batch", name: "worker" },
    });
    // 240 MiB at minute 14, 10 MiB/min: the limit is 16 minutes away.
    expect(((oom?.eta ?? 0) - (T0 + 14 * 60_000)) / 60_000).toBeCloseTo(16, 0);
  });

  it("lets an anomaly lapse once its series has been calm for the TTL", () => {
    const pipeline = new DetectPipeline({ anomalies: { ttlMs: 10 * 60_000 } });
    const s = (i: number, v: number): Sample => ({
      name: "queue_depth",
      labels: { namespace: "batch", pod: "worker-6868f8bc65-sjvvf" },
      t: T0 + i * 60_000,
      v,
    });
    const calm = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => s(from + k, 100 + ((from + k) % 7)));
    pipeline.observe([...calm(0, 1440), s(1440, 900)]);
    expect(pipeline.anomalies()).toHaveLength(1);
    pipeline.observe(calm(1441, 20));
    expect(pipeline.anomalies()).toEqual([]);
  });
});
