import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RoiReport } from "../../../incidents/roi.ts";
import { runDemo } from "../demo-runner.ts";
import { runReport } from "./report.ts";

describe("opsloop report", () => {
  it("gives MTTD and MTTR from the incident timestamps of a demo run", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "report-")), "opsloop.db");
    const summary = await runDemo({
      scenario: "demo",
      forMs: 30_000,
      speed: 60,
      output: "json",
      db,
      write: () => {},
    });
    const report = JSON.parse(runReport({ db, output: "json" })) as RoiReport;
    expect(report.incidents).toBeGreaterThanOrEqual(summary.incidents.length);
    expect(report.alertsIn).toBeGreaterThanOrEqual(report.incidents);
    expect(report.mttdMs).toBeGreaterThanOrEqual(0);
    expect(report.resolved).toBeGreaterThan(0);
    expect(report.mttrMs).toBeGreaterThan(0);
    expect(report.series.length).toBeGreaterThan(0);
    const table = runReport({ db, output: "table" });
    expect(table).toMatch(/^MTTD \(mean \/ median\)\s+\d+[hms]/m);
    expect(() => runReport({ db, output: "yaml" })).toThrow(/--output must be table or json/);
  });
});
