import { describe, expect, it } from "vitest";
import { SimRecorder } from "../../../bench/rca/sim-record.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { rankServices } from "./metric-rank.ts";
import { formatWideCsv, parseWideCsv } from "./wide-table.ts";

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
});
