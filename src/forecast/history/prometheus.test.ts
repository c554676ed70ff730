import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runGenerate } from "../../interfaces/cli/commands/generate.ts";
import { runRightsize } from "../../interfaces/cli/commands/rightsize.ts";
import { installScenario, loadScenario } from "../../sim/scenarios/index.ts";
import { type Harness, startHarness } from "../../sim/server/test-harness.ts";
import type { KubeObject } from "../../sim/store/types.ts";
import { backfillOpenMetrics } from "../../sim/telemetry/backfill.ts";
import { startPrometheus } from "../../sources/prometheus/test-prometheus.ts";

let h: Harness;
let prom: Awaited<ReturnType<typeof startPrometheus>>;
const out = mkdtempSync(join(tmpdir(), "opsloop-gen-prom-"));

beforeAll(async () => {
  h = await startHarness({ start: Date.parse("2026-01-05T08:30:00Z") });
  installScenario(h.cluster, loadScenario("traffic-surge"));
  h.cluster.step(30_000);
  // History ending now (wall time), so the commands' default range finds it.
  const history = backfillOpenMetrics(h.cluster, { days: 5, stepSeconds: 300, end: Date.now() });
  prom = await startPrometheus({
    prepareData: (dataDir) => {
      const file = `${dataDir}.om`;
      writeFileSync(file, history);
      execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", file, dataDir], {
        stdio: "pipe",
      });
    },
  });
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

describe("history from a real Prometheus", () => {
  it("reads two days of backfilled history with query_range and recommends like the simulated path", async () => {
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
  }, 60_000);

  it("generates files dry-run on the same cluster: KEDA and PrometheusRule objects are refused until their CRDs exist", async () => {
    const flags = {
      prometheus: prom.url,
      kubeconfig: h.kubeconfig,
      days: "5",
      kinds: "hpa,prescale,alerts",
      validate: true,
      output: "json",
    };
    const bare = await runGenerate({ ...flags, out: join(out, "bare") });
    const files: { file: string; ok: boolean }[] = JSON.parse(bare.text).files;
    // Pre-scaling windows depend on what is forecast from today (wall time): not listed exactly.
    const isCrd = (f: string) => /-(alerts|prescale)\.yaml$/.test(f);
    expect(files.map((f) => f.file)).toEqual(
      expect.arrayContaining([
        "shop-api-alerts.yaml",
        "shop-api-hpa.yaml",
        "shop-web-alerts.yaml",
        "shop-web-hpa.yaml",
      ]),
    );
    for (const f of files) expect(f.ok, f.file).toBe(!isCrd(f.file));
    expect(bare.failed).toBe(files.filter((f) => isCrd(f.file)).length);
    expect(readdirSync(join(out, "bare")).sort()).toEqual([
      "shop-api-hpa.yaml",
      "shop-web-hpa.yaml",
    ]);

    const crds = new URL("../generate/sim-crds.yaml", import.meta.url);
    h.cluster.apply(
      parseAllDocuments(readFileSync(crds, "utf8")).map((d) => d.toJS() as KubeObject),
    );
    const full = await runGenerate({ ...flags, out: join(out, "full") });
    expect(full.failed).toBe(0);
    expect(readdirSync(join(out, "full"))).toHaveLength(JSON.parse(full.text).files.length);
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
