import { describe, expect, it } from "vitest";
import { startScenario } from "../sim/scenarios/harness.ts";
import { diagnoseSim } from "./sim-run.ts";

describe("one finding per root cause", () => {
  it("folds a Service down only because its pods crash into the crash finding", async () => {
    const { cluster } = startScenario("app-crash-missing-env");
    cluster.step(5 * 60_000);
    const all = (await diagnoseSim(cluster)).findings;
    const crash = all.find((f) => f.reason === "CrashLoopBackOff" && f.subject.name === "api");
    expect(crash?.affected).toContainEqual(
      expect.objectContaining({ kind: "Service", namespace: "shop", name: "api" }),
    );
    expect(crash?.severity).toBe("critical");
    expect(crash?.evidence.map((e) => e.text)).toContain(
      "Service shop/api has no ready endpoints: all 2 of its selected pods are affected by this problem",
    );
    expect(all.filter((f) => f.reason === "NoEndpoints")).toEqual([]);

    // The service analyzer alone still names the outage: nothing else is there to explain it.
    const alone = (await diagnoseSim(cluster, { filter: ["service"] })).findings;
    expect(alone.map((f) => `${f.reason} ${f.subject.name}`)).toEqual(["NoEndpoints api"]);
  }, 60_000);
});
