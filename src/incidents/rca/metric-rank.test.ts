import { describe, expect, it } from "vitest";
import { SimRecorder } from "../../../bench/rca/sim-record.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { rankServices } from "./metric-rank.ts";
import { formatWideCsv, parseWideCsv, type WideTable } from "./wide-table.ts";

const MIN = 60_000;

describe("metric root-cause ranking", () => {
  it("ranks the slow database first in the latency cascade, from the wide CSV alone", () => {
    const { cluster } = startScenario("latency-cascade", { tickMs: 1000 });
    const rec = new SimRecorder(cluster, "shop");
    rec.run(8 * MIN);
    const csv = formatWideCsv(rec.table());
    expect(csv.split("\n")[0]).toBe(
      "time,api_latency,api_errors,api_rps,api_cpu,api_mem,db_latency,db_errors,db_rps,db_cpu,db_mem,web_latency,web_errors,web_rps,web_cpu,web_mem",
    );
    const table = parseWideCsv(csv);
    const ranked = rankServices(table);
    expect(ranked.map((r) => r.service)).toEqual(["db", "api", "web"]);
    expect(ranked[0]?.metrics[0]?.metric).toBe("latency");
    const withDeps = rankServices(table, {
      deps: new Map([
        ["web", ["api"]],
        ["api", ["db"]],
      ]),
    });
    expect(withDeps[0]).toMatchObject({ service: "db", explains: ["api", "web"] });
    expect(withDeps[1]?.explainedBy).toEqual(["db"]);
  });

  /** 40 rows 15 s apart; each metric steps from `before` to `after` at row `at`, with a little wiggle. */
  function table(cols: Record<string, [before: number, after: number, at: number]>): WideTable {
    const times = Array.from({ length: 40 }, (_, i) => i * 15_000);
    const series = new Map<string, Map<string, number[]>>();
    for (const [col, [before, after, at]] of Object.entries(cols)) {
      const [svc, metric] = col.split("_") as [string, string];
      const m = series.get(svc) ?? new Map<string, number[]>();
      m.set(
        metric,
        times.map((_, i) => (i < at ? before : after) * (1 + 0.01 * Math.sin(i))),
      );
      series.set(svc, m);
    }
    return { times, series };
  }

  it("does not let a dependency's CPU spike at the same moment explain a caller's latency", () => {
    const t = table({ api_latency: [10, 500, 20], cache_cpu: [50, 900, 20] });
    const ranked = rankServices(t, {
      anomalyTime: 20 * 15_000,
      deps: new Map([["api", ["cache"]]]),
    });
    expect(ranked.map((r) => r.service)).toEqual(["api", "cache"]);
    expect(ranked[0]?.explainedBy).toEqual([]);
  });

  it("lets a dependency's memory growth explain a caller's errors when it came clearly first", () => {
    const t = table({ api_errors: [0.001, 0.3, 20], cache_mem: [200, 900, 12] });
    const ranked = rankServices(t, {
      anomalyTime: 12 * 15_000,
      deps: new Map([["api", ["cache"]]]),
    });
    expect(ranked[0]?.service).toBe("cache");
    expect(ranked[0]?.explains).toEqual(["api"]);
  });
});
