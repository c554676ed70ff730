import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import { SimCluster } from "../../sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../sim/scenarios/index.ts";
import { backfillOpenMetrics } from "../../sim/telemetry/backfill.ts";
import { PromClient } from "../../sources/prometheus/api-client.ts";
import { PollerConfigSchema, PromPoller } from "../../sources/prometheus/poller.ts";
import {
  type RunningPrometheus,
  startPrometheus,
} from "../../sources/prometheus/test-prometheus.ts";
import { SampleStream } from "../../sources/samples/sample-stream.ts";
import { DetectPipeline } from "./pipeline.ts";
import { MIDWEEK, runLive } from "./sim-run.ts";

let prom: RunningPrometheus | undefined;
afterAll(() => prom?.stop());

describe("baselines warmed from a real Prometheus", () => {
  it("backfills two days by query_range, and the live scrape continues the same warm series quietly", async () => {
    const scenario = loadScenario("healthy");
    const cluster = new SimCluster({
      ...scenarioClusterOptions(scenario),
      start: MIDWEEK,
      seed: 1,
      tickMs: 5000,
    });
    installScenario(cluster, scenario);
    cluster.step(60_000);
    const history = backfillOpenMetrics(cluster, {
      days: 2,
      stepSeconds: 60,
      end: cluster.clock.now() - 30_000,
    });
    prom = await startPrometheus({
      // The history is in the simulator's January: keep it, whatever today's date.
      extraFlags: ["--storage.tsdb.retention.time=100y"],
      prepareData: (dataDir) => {
        writeFileSync(`${dataDir}.om`, history);
        execFileSync(
          "/usr/bin/promtool",
          ["tsdb", "create-blocks-from", "openmetrics", `${dataDir}.om`, dataDir],
          {
            stdio: "pipe",
          },
        );
      },
    });
    const stream = new SampleStream();
    const pipeline = new DetectPipeline();
    pipeline.attach(stream);
    const config = PollerConfigSchema.parse({
      queries: [
        {
          name: "container_memory_working_set_bytes",
          promql: "container_memory_working_set_bytes",
        },
        { name: "http_requests_total", promql: "http_requests_total" },
        { name: "node_hwmon_temp_celsius", promql: "node_hwmon_temp_celsius" },
      ],
      interval: "1m",
      backfill: "2d",
    });
    const poller = new PromPoller({
      client: new PromClient({ url: prom.url }),
      stream,
      clock: new FixedClock(cluster.clock.now()),
      config,
    });
    expect(await poller.backfill(), prom.logs()).toBeGreaterThan(40_000);
    await stream.idle();
    const warm = pipeline.stats().detectors;
    // 7 containers, 13 request series (web answers 200, 500 and, for the tail of api's latency
    // beyond its client timeout, 504, as the live /metrics do), 3 node temperatures.
    expect(warm).toBe(23);

    const seen = new Set<string>();
    const memoryKeys = () =>
      pipeline
        .snapshot()
        .anomalies.detectors.map(([k]) => k)
        .filter((k) => k.startsWith("container_memory_working_set_bytes")).length;
    const before = memoryKeys();
    runLive(cluster, pipeline, 60, 60, (_now, fs) => {
      for (const f of fs) seen.add(f.rootCause);
      return undefined;
    });
    // The scrape's container series (with image and node labels) continued the backfilled ones.
    expect(memoryKeys()).toBe(before);
    expect([...seen]).toEqual([]);
  }, 60_000);
});
