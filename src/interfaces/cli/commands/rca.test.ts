import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SimRecorder } from "../../../../bench/rca/sim-record.ts";
import { formatWideCsv } from "../../../incidents/rca/wide-table.ts";
import { startScenario } from "../../../sim/scenarios/harness.ts";
import { runRca } from "./rca.ts";

describe("opsloop rca", () => {
  it("ranks services from a wide CSV of the latency cascade, as json and as a table", () => {
    const { cluster } = startScenario("latency-cascade");
    const rec = new SimRecorder(cluster, "shop");
    rec.run(7 * 60_000);
    const file = join(mkdtempSync(join(tmpdir(), "rca-")), "metrics.csv");
    writeFileSync(file, formatWideCsv(rec.table()));
    const anomalyTime = String((Date.UTC(2026, 0, 5, 0, 3, 0) / 1000) | 0);
    const json = JSON.parse(runRca({ metrics: file, anomalyTime, output: "json" })) as {
      ranking: { service: string; confidence: number }[];
    };
    expect(json.ranking.map((r) => r.service)).toEqual(["db", "api", "web"]);
    expect(json.ranking[0]?.confidence).toBeGreaterThan(0.3);
    const table = runRca({ metrics: file, deps: "web->api,api->db", output: "table" });
    expect(table.split("\n")[0]).toMatch(/^RANK\s+SERVICE\s+CONFIDENCE\s+DEVIATION\s+TOPOLOGY$/);
    expect(table.split("\n")[1]).toMatch(/^1\s+db\s+\d\.\d\d\s+latency 4\.6→10\d\d/);
    expect(table).toMatch(/api .*explained by db/);
    expect(() => runRca({ metrics: file, deps: "web-api", output: "json" })).toThrow(
      /must be caller->callee/,
    );
    expect(() => runRca({ metrics: join(tmpdir(), "nope.csv"), output: "json" })).toThrow(
      /cannot read/,
    );
  });
});
