import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpsloopError } from "../../core/errors.ts";
import { startHarness } from "../../sim/server/test-harness.ts";
import { PromClient } from "./api-client.ts";
import { type RunningPrometheus, startPrometheus } from "./test-prometheus.ts";

let prom: RunningPrometheus;
let close: () => Promise<void>;

async function until<T>(f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const x = await f();
    if (x !== undefined) return x;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const h = await startHarness();
  close = () => h.close();
  const addr = h.cluster.url;
  prom = await startPrometheus({ scrapeTargets: [`${addr}/metrics`] });
}, 40_000);

afterAll(async () => {
  await prom?.stop();
  await close?.();
});

describe("Prometheus HTTP API client against a real Prometheus", () => {
  it("reads an instant vector once the simulator's /metrics has been scraped", async () => {
    const client = new PromClient({ url: prom.url });
    const series = await until(async () => {
      const r = await client.query('up{job="target0"}', Date.now());
      return r.resultType === "vector" && r.series.length > 0 ? r.series : undefined;
    });
    expect(series[0]?.labels.job).toBe("target0");
    expect(series[0]?.point.v).toBe(1);
  }, 30_000);

  it("reads a range as a matrix of millisecond points and a scalar as a point", async () => {
    const client = new PromClient({ url: prom.url });
    const now = Math.floor(Date.now() / 1000) * 1000;
    const range = await until(async () => {
      const r = await client.queryRange("up", now - 60_000, Date.now(), 1000);
      return (r[0]?.points.length ?? 0) >= 2 ? r : undefined;
    });
    const points = range[0]?.points ?? [];
    expect(points.every((p) => p.v === 1)).toBe(true);
    expect(points.slice(1).every((p, i) => p.t - (points[i]?.t ?? 0) === 1000)).toBe(true);
    const scalar = await client.query("scalar(vector(2.5))", 1_700_000_000_000);
    expect(scalar).toEqual({ resultType: "scalar", value: { t: 1_700_000_000_000, v: 2.5 } });
  }, 30_000);

  it("reports bad PromQL as invalid input and an unreachable server as unavailable", async () => {
    const client = new PromClient({ url: prom.url });
    const bad = await client.query("sum(", Date.now()).catch((e: OpsloopError) => e);
    expect((bad as OpsloopError).code).toBe("invalid_input");
    expect((bad as OpsloopError).message).toMatch(/^Prometheus bad_data: /);
    const gone = new PromClient({ url: "http://127.0.0.1:1", timeoutMs: 2000 });
    const err = await gone.query("up", Date.now()).catch((e: OpsloopError) => e);
    expect((err as OpsloopError).code).toBe("unavailable");
  });
});
