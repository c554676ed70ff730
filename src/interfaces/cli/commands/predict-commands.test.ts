import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../main.ts";
import { runPlanScaling } from "./plan-scaling.ts";
import { runRightsize } from "./rightsize.ts";

const PLAN = {
  scenario: "traffic-surge",
  workload: "shop/web",
  days: "28",
  horizon: "48",
  target: "0.7",
  margin: "0.1",
  max: "20",
  buffer: "300",
  nodeCpu: "4",
  nodeMemory: "16Gi",
};

describe("opsloop plan-scaling", () => {
  it("plans the Monday 09:00 surge of the traffic-surge scenario ahead of time, as KEDA cron triggers", async () => {
    const plan = JSON.parse(await runPlanScaling({ ...PLAN, output: "json" }));
    const monday = plan.windows.find(
      (w: { start: number }) => w.start <= Date.parse("2026-01-05T08:55:00Z"),
    );
    expect(monday.replicas).toBeGreaterThan(plan.currentReplicas);
    expect(plan.minReplicasSchedule[0]).toMatchObject({
      at: monday.start,
      minReplicas: monday.replicas,
    });
    const keda = parse(await runPlanScaling({ ...PLAN, output: "yaml" }));
    expect(keda.kind).toBe("ScaledObject");
    expect(keda.spec.triggers[0]).toMatchObject({
      type: "cron",
      metadata: { start: "55 8 5 1 *" },
    });
  });

  it("rejects a malformed workload with a one-line error and exit code 2", async () => {
    const code = await main([
      "node",
      "opsloop",
      "plan-scaling",
      "--scenario",
      "traffic-surge",
      "--workload",
      "web",
    ]);
    expect(code).toBe(2);
  });
});

describe("opsloop rightsize", () => {
  it("recommends every container of the scenario with a saving and patches", async () => {
    const out = JSON.parse(
      await runRightsize({ scenario: "traffic-surge", days: "14", output: "json" }),
    );
    const web = out.recommendations.find(
      (r: { workload: { name: string } }) => r.workload.name === "web",
    );
    expect(web.cpu.skipped).toBe(false);
    expect(web.monthlySavings).toBeGreaterThan(0);
    const yaml = await runRightsize({ scenario: "traffic-surge", days: "14", output: "yaml" });
    expect(yaml).toContain("kubectl -n shop patch deployment web");
    expect(await runRightsize({ scenario: "traffic-surge", days: "14", output: "table" })).toMatch(
      /total estimated saving/,
    );
  });

  it("says why a recommendation is skipped when history is too short", async () => {
    const out = JSON.parse(
      await runRightsize({ scenario: "traffic-surge", days: "0.125", output: "json" }),
    );
    expect(out.recommendations[0].cpu).toMatchObject({ skipped: true });
    expect(out.recommendations[0].cpu.reason).toMatch(/too little/);
  });
});
