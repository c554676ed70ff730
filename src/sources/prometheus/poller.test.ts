import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.ts";
import { startHarness } from "../../sim/server/test-harness.ts";
import { type Sample, SampleStream } from "../samples/sample-stream.ts";
import { PromClient } from "./api-client.ts";
import { PollerConfigSchema, PromPoller } from "./poller.ts";
import { type RunningPrometheus, startPrometheus } from "./test-prometheus.ts";

let prom: RunningPrometheus;
let closeSim: () => Promise<void>;

beforeAll(async () => {
  const h = await startHarness();
  closeSim = () => h.close();
  prom = await startPrometheus({ scrapeTargets: [`${h.cluster.url}/metrics`] });
}, 40_000);

afterAll(async () => {
  await prom?.stop();
  await closeSim?.();
});

describe("PromQL poller against a real Prometheus scraping the simulator", () => {
  it("backfills with query_range, then polls instant values into the stream", async () => {
    const client = new PromClient({ url: prom.url });
    // Wait for a few scrapes so the backfill has history to return.
    for (let i = 0; i < 100; i++) {
      const r = await client.queryRange("up", Date.now() - 10_000, Date.now(), 1000);
      if ((r[0]?.points.length ?? 0) >= 6) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const stream = new SampleStream({ maxQueue: 4 });
    const got: Sample[] = [];
    stream.subscribe((b) => got.push(...b));
    const config = PollerConfigSchema.parse({
      queries: [
        { name: "up", promql: 'up{job="target0"}' },
        { name: "targets_up", promql: "sum(up)" },
      ],
      interval: "1s",
      backfill: "10s",
    });
    const poller = new PromPoller({ client, stream, clock: systemClock, config });
    const n = await poller.backfill();
    await stream.idle();
    const ups = got.filter((s) => s.name === "up");
    expect(ups.length).toBeGreaterThanOrEqual(3);
    expect(ups[0]?.labels).toMatchObject({ job: "target0", instance: expect.any(String) });
    expect(ups.every((s, i) => i === 0 || s.t - (ups[i - 1]?.t ?? 0) === 1000)).toBe(true);
    expect(got.some((s) => s.name === "targets_up" && s.v === 1)).toBe(true);
    expect(n).toBe(got.length);

    got.length = 0;
    expect(await poller.poll()).toBe(2);
    await stream.idle();
    expect(got.map((s) => [s.name, s.v])).toEqual([
      ["up", 1],
      ["targets_up", 1],
    ]);
  }, 40_000);

  it("rejects a config with unknown keys or a bad series name", () => {
    expect(() =>
      PollerConfigSchema.parse({ queries: [{ name: "x", promql: "up" }], x: 1 }),
    ).toThrow();
    expect(() => PollerConfigSchema.parse({ queries: [{ name: "a-b", promql: "up" }] })).toThrow();
  });

  it("keeps polling after a failed backfill, reporting each error", async () => {
    const stream = new SampleStream();
    const errors: string[] = [];
    const config = PollerConfigSchema.parse({
      queries: [{ name: "up", promql: "up" }],
      interval: 50,
      backfill: "1m",
    });
    const client = new PromClient({ url: "http://127.0.0.1:1", timeoutMs: 500 });
    const poller = new PromPoller({
      client,
      stream,
      clock: systemClock,
      config,
      onError: (e) => errors.push((e as Error).message),
    });
    await poller.start();
    await new Promise((r) => setTimeout(r, 200));
    poller.stop();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatch(/unreachable/);
  });
});
