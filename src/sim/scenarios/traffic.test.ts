import { describe, expect, it } from "vitest";
import type { SimCluster } from "../cluster.ts";
import { metricValues, podsOf, startScenario } from "./harness.ts";

const MIN = 60_000;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Requests and summed latency of a workload's pods over the next `ms` (from counter deltas). */
function window(cluster: SimCluster, ns: string, workload: string, ms: number) {
  const read = () => {
    const text = cluster.telemetry.render();
    const pods = podsOf(cluster, ns, workload).map((p) => p.metadata.name as string);
    const by = (name: string, extra: Record<string, string> = {}) =>
      sum(pods.flatMap((pod) => metricValues(text, name, { namespace: ns, pod, ...extra })));
    return {
      total: by("http_requests_total"),
      errors504: by("http_requests_total", { code: "504" }),
      errors503: by("http_requests_total", { code: "503" }),
      latencySum: by("http_request_duration_seconds_sum"),
      latencyCount: by("http_request_duration_seconds_count"),
    };
  };
  const a = read();
  cluster.step(ms);
  const b = read();
  return {
    rps: (b.total - a.total) / (ms / 1000),
    share504: (b.errors504 - a.errors504) / Math.max(1, b.total - a.total),
    share503: (b.errors503 - a.errors503) / Math.max(1, b.total - a.total),
    meanLatency: (b.latencySum - a.latencySum) / Math.max(1, b.latencyCount - a.latencyCount),
  };
}

describe("traffic scenarios", () => {
  it("healthy serves its daily traffic without warnings or server errors", () => {
    const { cluster } = startScenario("healthy");
    cluster.step(2 * MIN);
    const w = window(cluster, "shop", "web", 5 * MIN);
    // 120 rps with a 0.4 daily amplitude peaking at 14:00, at 00:05: 120 * (1 + 0.4 * cos(-14/24 * 2pi)) ≈ 78.5.
    expect(w.rps).toBeGreaterThan(74);
    expect(w.rps).toBeLessThan(83);
    expect(w.share503 + w.share504).toBe(0);
    expect(w.meanLatency).toBeGreaterThan(0.04);
    expect(w.meanLatency).toBeLessThan(0.12);
    const warnings = cluster.store
      .list("events")
      .filter((e) => (e as { type?: string }).type === "Warning");
    expect(warnings).toEqual([]);
  });

  it("service-no-endpoints leaves the api Endpoints empty and fails every web request with 503", () => {
    const { cluster } = startScenario("service-no-endpoints");
    cluster.step(MIN);
    const ep = cluster.store.get("endpoints", "shop", "api");
    expect(ep?.subsets ?? []).toEqual([]);
    expect(podsOf(cluster, "shop", "api").every((p) => p.status?.phase === "Running")).toBe(true);
    const w = window(cluster, "shop", "web", 2 * MIN);
    // All but web's own 0.1% of 500s.
    expect(w.share503).toBeGreaterThan(0.998);
  });

  it("traffic-surge multiplies Monday 09:00 traffic by 2.5 and saturates web", () => {
    const { cluster } = startScenario("traffic-surge");
    cluster.step(20 * MIN);
    const before = window(cluster, "shop", "web", 5 * MIN); // 08:50-08:55
    cluster.step(10 * MIN);
    const during = window(cluster, "shop", "web", 5 * MIN); // 09:05-09:10
    expect(during.rps / before.rps).toBeGreaterThan(2.3);
    expect(during.rps / before.rps).toBeLessThan(2.7);
    expect(during.meanLatency).toBeGreaterThan(before.meanLatency * 1.5);
  }, 60_000);

  it("latency-cascade turns a slow database into api timeouts (504) and slower web", () => {
    const { cluster, timeline } = startScenario("latency-cascade");
    cluster.step(MIN);
    const apiBefore = window(cluster, "shop", "api", MIN);
    const webBefore = window(cluster, "shop", "web", MIN);
    expect(apiBefore.share504).toBe(0);
    cluster.step(2 * MIN);
    expect(timeline.fired).toHaveLength(1);
    cluster.step(MIN); // the db rolls out its new behaviour
    const api = window(cluster, "shop", "api", 2 * MIN);
    const web = window(cluster, "shop", "web", 2 * MIN);
    // Log-normal with p50 900ms and p99 2.5s: about 40% of calls exceed the 1s client timeout.
    expect(api.share504).toBeGreaterThan(0.3);
    expect(api.share504).toBeLessThan(0.5);
    expect(api.meanLatency).toBeGreaterThan(apiBefore.meanLatency * 10);
    expect(web.meanLatency).toBeGreaterThan(webBefore.meanLatency * 5);
  });
});
