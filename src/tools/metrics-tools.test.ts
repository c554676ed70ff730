import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { type Harness, startHarness } from "../sim/server/test-harness.ts";
import { PromClient } from "../sources/prometheus/api-client.ts";
import { type RunningPrometheus, startPrometheus } from "../sources/prometheus/test-prometheus.ts";
import type { ToolContext } from "./context.ts";
import { METRICS_TOOLS } from "./metrics-tools.ts";
import { ToolRegistry } from "./registry.ts";

let h: Harness;
let prom: RunningPrometheus;
let ctx: ToolContext;
const registry = new ToolRegistry(METRICS_TOOLS);

interface Out {
  resultType: string;
  series: {
    labels: Record<string, string>;
    points: [number, number | null][];
    summary?: { max: number };
  }[];
  totalSeries: number;
  truncated: boolean;
}

beforeAll(async () => {
  h = await startHarness();
  h.cluster.apply([
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1" },
      spec: {},
      status: { capacity: { cpu: "4", memory: "8Gi", pods: "110" } },
    },
    ...["a", "b", "c"].map((name) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    })),
  ]);
  h.cluster.step(5000);
  prom = await startPrometheus({
    scrapeTargets: [`${h.cluster.apiServer?.url}/metrics`],
    scrapeInterval: "1s",
  });
  // Only the tool's dependencies: the Prometheus client and a clock.
  ctx = { prometheus: new PromClient({ url: prom.url }), clock: systemClock } as ToolContext;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const r = (await registry.call(ctx, "query_metrics", {
      query: "container_memory_working_set_bytes",
      range: "30s",
      step: "1s",
    })) as Out;
    if (r.series.length === 3 && r.series.every((s) => s.points.length >= 4)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await h?.close();
});

describe("query_metrics against a real Prometheus scraping the simulator", () => {
  it("runs an instant query and caps the number of series", async () => {
    const r = (await registry.call(ctx, "query_metrics", {
      query: "container_memory_working_set_bytes",
      maxSeries: 2,
    })) as Out;
    expect(r.resultType).toBe("vector");
    expect(r.totalSeries).toBe(3);
    expect(r.series).toHaveLength(2);
    expect(r.truncated).toBe(true);
    expect(r.series[0]?.labels).toMatchObject({ namespace: "default", container: "app" });
    expect(r.series[0]?.points[0]?.[1]).toBeGreaterThan(0);
  });

  it("downsamples a range query to maxPoints while the summary keeps the true extremes", async () => {
    const r = (await registry.call(ctx, "query_metrics", {
      query: 'container_memory_working_set_bytes{pod="a"}',
      range: "30s",
      step: "1s",
      maxPoints: 3,
    })) as Out;
    expect(r.resultType).toBe("matrix");
    const s = r.series[0];
    expect(s?.points).toHaveLength(3);
    expect(r.truncated).toBe(true);
    const values = s?.points.map((p) => p[1] ?? 0) ?? [];
    expect(s?.summary?.max).toBeGreaterThanOrEqual(Math.max(...values));
  });

  it("returns a scalar and reports bad PromQL as invalid input", async () => {
    const r = (await registry.call(ctx, "query_metrics", { query: "1 + 1" })) as Out & {
      scalar: number;
    };
    expect(r).toMatchObject({ resultType: "scalar", scalar: 2 });
    await expect(registry.call(ctx, "query_metrics", { query: "sum(" })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });
});
