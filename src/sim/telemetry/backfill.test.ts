import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startScenario } from "../scenarios/harness.ts";
import { backfillOpenMetrics, backfillSamples } from "./backfill.ts";

const PROMTOOL = "/usr/bin/promtool";

describe("backfill", () => {
  it("computes a week of history ending at the start, with daily seasonality and monotonic counters", () => {
    const { cluster } = startScenario("healthy");
    cluster.step(30_000); // let the controllers create and schedule the pods
    // End on the hour so that samples fall on whole minutes.
    const end = cluster.clock.now() - 30_000;
    const last = new Map<string, number>();
    const web200 = new Map<number, number>();
    let count = 0;
    for (const s of backfillSamples(cluster, { days: 7, stepSeconds: 300, end })) {
      count++;
      expect(s.t).toBeLessThan(end);
      expect(s.t).toBeGreaterThanOrEqual(end - 7 * 86_400_000);
      if (s.name.endsWith("_total")) {
        const key = s.name + JSON.stringify(s.labels);
        expect(s.v).toBeGreaterThanOrEqual(last.get(key) ?? 0);
        last.set(key, s.v);
      }
      if (
        s.name === "http_requests_total" &&
        s.labels.code === "200" &&
        s.labels.pod?.startsWith("web-")
      ) {
        web200.set(s.t, (web200.get(s.t) ?? 0) + s.v);
      }
    }
    expect(count).toBeGreaterThan(2016 * 20);
    // Requests per 5 min at Friday 14:00 UTC (daily peak) vs 02:00 (trough); web serves 120 rps ±40%.
    const at = (iso: string) => Date.parse(iso);
    const rate = (iso: string) =>
      ((web200.get(at(iso)) ?? 0) - (web200.get(at(iso) - 300_000) ?? 0)) / 300;
    expect(rate("2026-01-02T14:00:00Z")).toBeGreaterThan(150);
    expect(rate("2026-01-02T02:00:00Z")).toBeLessThan(90);
  }, 30_000);

  it("writes OpenMetrics that promtool turns into TSDB blocks", {
    skip: !existsSync(PROMTOOL),
    timeout: 60_000,
  }, () => {
    const { cluster } = startScenario("healthy");
    cluster.step(30_000);
    const text = backfillOpenMetrics(cluster, { days: 0.25, stepSeconds: 60 });
    expect(text.endsWith("# EOF\n")).toBe(true);
    expect(text).toContain("# TYPE http_requests counter\n");
    // Request latency continues the live histogram's _count/_sum pair (mean latency per pod).
    expect(text).toContain("# TYPE http_request_duration_seconds summary\n");
    expect(text).toMatch(/^http_request_duration_seconds_sum\{namespace="shop",pod="web-/m);
    const dir = mkdtempSync(join(tmpdir(), "opsloop-backfill-"));
    try {
      writeFileSync(join(dir, "history.om"), text);
      execFileSync(
        PROMTOOL,
        ["tsdb", "create-blocks-from", "openmetrics", join(dir, "history.om"), join(dir, "data")],
        {
          stdio: "pipe",
        },
      );
      expect(readdirSync(join(dir, "data")).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
