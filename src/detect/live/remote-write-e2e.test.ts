import { afterAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { SimCluster } from "../../sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../sim/scenarios/index.ts";
import { startPrometheus } from "../../sources/prometheus/test-prometheus.ts";
import { startIngestServer } from "../../sources/samples/ingest-http.ts";
import { SampleStream } from "../../sources/samples/sample-stream.ts";
import { DetectPipeline } from "./pipeline.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("end to end: simulator → real Prometheus → remote-write → live detection", () => {
  it("predicts the disk-pressure scenario's DiskPressure from remote-written samples", async () => {
    // One simulated minute per wall second: the fill to the threshold takes about 30 s of wall time.
    const scenario = loadScenario("disk-pressure");
    const cluster = new SimCluster({ ...scenarioClusterOptions(scenario), speed: 60, seed: 1 });
    installScenario(cluster, scenario);
    await cluster.listen({ port: 0, host: "127.0.0.1" });
    cleanups.push(() => cluster.close());
    const stream = new SampleStream();
    // Prometheus stamps samples with wall time, so the trend is thinned per wall second.
    const pipeline = new DetectPipeline({ limits: { stepMs: 1000 } });
    pipeline.attach(stream);
    const ingest = await startIngestServer(stream);
    cleanups.push(() => ingest.close());
    const prom = await startPrometheus({
      scrapeTargets: [`${cluster.url}/metrics`],
      remoteWriteUrl: `${ingest.url}/api/v1/write`,
    });
    cleanups.push(() => prom.stop());
    cluster.start();
    cleanups.push(() => cluster.stop());

    let found: Finding | undefined;
    const deadline = Date.now() + 40_000;
    while (!found && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      found = pipeline.predictions().find((f) => f.reason === "DiskPressurePredicted");
    }
    expect(stream.stats().accepted).toBeGreaterThan(100);
    expect(found?.subject).toEqual({ kind: "Node", name: "node-b-1" });
    // ETA in wall time: the threshold (90 GiB used) is about half a minute away at most.
    expect((found?.eta ?? 0) - Date.now()).toBeLessThan(60_000);
  }, 60_000);
});
