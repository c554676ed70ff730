import { describe, expect, it } from "vitest";
import { simulatedHistory } from "../forecast/history/simulated.ts";
import type { ToolContext } from "./context.ts";
import { PREDICT_TOOLS } from "./predict-tools.ts";
import { ToolRegistry } from "./registry.ts";

const registry = new ToolRegistry(PREDICT_TOOLS);
const surge = simulatedHistory("traffic-surge", 14);
// These tools read only the usage history; the rest of the loop is not involved.
const ctx = { usageHistory: () => surge } as Partial<ToolContext> as ToolContext;

describe("predict tools", () => {
  it("are read-only and named as the issue names them", () => {
    expect(PREDICT_TOOLS.map((t) => t.name)).toEqual(["forecast", "plan_scaling", "rightsize"]);
    expect(PREDICT_TOOLS.every((t) => t.annotations.readOnly && !t.annotations.destructive)).toBe(
      true,
    );
  });

  it("forecast continues a daily cycle", async () => {
    const values = Array.from(
      { length: 24 * 14 },
      (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / 24),
    );
    const out = (await registry.call(ctx, "forecast", { values, horizon: 24 })) as {
      mean: number[];
      periods: number[];
    };
    expect(out.periods).toContain(24);
    expect(out.mean[5]).toBeCloseTo(values[5] as number, 0);
  });

  it("plan_scaling raises web's floor ahead of the Monday surge", async () => {
    const out = (await registry.call(ctx, "plan_scaling", { namespace: "shop", name: "web" })) as {
      windows: { start: number; replicas: number }[];
      currentReplicas: number;
    };
    const monday = out.windows.find((w) => w.start <= Date.parse("2026-01-05T08:55:00Z"));
    expect(monday?.replicas).toBeGreaterThan(out.currentReplicas);
  });

  it("rightsize filters by namespace and explains skips", async () => {
    const out = (await registry.call(ctx, "rightsize", { namespace: "shop" })) as {
      recommendations: { namespace: string; cpu: { skipped: boolean } }[];
    };
    expect(out.recommendations.length).toBeGreaterThan(0);
    expect(out.recommendations.every((r) => r.namespace === "shop")).toBe(true);
  });

  it("fails as unavailable, not with a stack, when there is no history source", async () => {
    await expect(registry.call({} as ToolContext, "rightsize", {})).rejects.toMatchObject({
      code: "unavailable",
    });
  });
});
