import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runRightsize } from "../../interfaces/cli/commands/rightsize.ts";
import { installScenario, loadScenario } from "../../sim/scenarios/index.ts";
import { startHarness } from "../../sim/server/test-harness.ts";
import { backfillOpenMetrics } from "../../sim/telemetry/backfill.ts";
import { startPrometheus } from "../../sources/prometheus/test-prometheus.ts";

describe("right-sizing from a real Prometheus", () => {
  it("reads two days of backfilled history with query_range and recommends like the simulated path", async () => {
    const h = await startHarness({ start: Date.parse("2026-01-05T08:30:00Z") });
    installScenario(h.cluster, loadScenario("traffic-surge"));
    h.cluster.step(30_000);
    // History ending now (wall time), so the command's default range finds it.
    const history = backfillOpenMetrics(h.cluster, { days: 2, stepSeconds: 300, end: Date.now() });
    const prom = await startPrometheus({
      prepareData: (dataDir) => {
        const file = `${dataDir}.om`;
        writeFileSync(file, history);
        execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", file, dataDir], {
          stdio: "pipe",
        });
      },
    });
    try {
      const viaProm = JSON.parse(
        await runRightsize({
          prometheus: prom.url,
          kubeconfig: h.kubeconfig,
          days: "2",
          output: "json",
        }),
      );
      const web = viaProm.recommendations.find(
        (r: { workload: { name: string } }) => r.workload.name === "web",
      );
      expect(web, prom.logs()).toBeDefined();
      expect(web.cpu.skipped).toBe(false);
      expect(web.cpu.request).toBeGreaterThan(100);
      expect(web.cpu.request).toBeLessThan(200);
      expect(web.memory.request / 2 ** 20).toBeGreaterThan(200);
    } finally {
      await prom.stop();
      await h.close();
    }
  }, 60_000);

  it("refuses both or neither history source", async () => {
    await expect(runRightsize({ days: "2", output: "json" })).rejects.toThrow(/either --scenario/);
    await expect(
      runRightsize({
        scenario: "healthy",
        prometheus: "http://127.0.0.1:1",
        days: "2",
        output: "json",
      }),
    ).rejects.toThrow(/either --scenario/);
  });
});
