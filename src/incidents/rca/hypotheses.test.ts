import { describe, expect, it } from "vitest";
import { clusterSnapshot, SimRecorder } from "../../../bench/rca/sim-record.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { topologyFromSnapshot } from "../topology.ts";
import { rankHypotheses } from "./hypotheses.ts";

const MIN = 60_000;

function rca(scenario: string, runMs: number, symptomAfterMs: number) {
  const { cluster } = startScenario(scenario, { tickMs: 1000 });
  const start = cluster.clock.now();
  const rec = new SimRecorder(cluster, "shop");
  rec.run(runMs);
  const snapshot = clusterSnapshot(cluster);
  return rankHypotheses({
    snapshot,
    topology: topologyFromSnapshot(snapshot),
    symptomTime: start + symptomAfterMs,
    metrics: rec.table(),
    namespace: "shop",
  });
}

describe("root-cause hypotheses across signals", () => {
  it("ranks the slow database first in the latency cascade, ahead of its callers", () => {
    const ranked = rca("latency-cascade", 8 * MIN, 3 * MIN);
    expect(ranked.map((h) => h.entity.name).slice(0, 3)).toEqual(["db", "api", "web"]);
    expect(ranked[0]?.entity).toMatchObject({ kind: "Deployment", namespace: "shop" });
    expect(ranked[0]?.cause).toMatch(/^db latency changed from 4\.\d+ to 10\d\d/);
    expect(ranked[0]?.confidence).toBeGreaterThan(0.4);
    expect(ranked[1]?.evidence[0]?.text).toMatch(/its dependencies db deviated too/);
    expect(ranked[0]?.explains.map((w) => w.name).sort()).toEqual(["api", "web"]);
  });

  it("ranks node-a-1 first in ip-exhaustion: its CNI cannot assign addresses to api's new pods", () => {
    const ranked = rca("ip-exhaustion", 5 * MIN, 2 * MIN);
    expect(ranked[0]?.entity).toEqual({ kind: "Node", name: "node-a-1" });
    expect(ranked[0]?.cause).toMatch(
      /^node node-a-1 \(zone eu-west-1a\): FailedCreatePodSandBox: .*failed to assign an IP address to container$/,
    );
    expect(ranked[0]?.explains).toEqual([{ kind: "Deployment", namespace: "shop", name: "api" }]);
    const api = ranked.find((h) => h.entity.name === "api");
    expect(api?.evidence.map((e) => e.text).join("\n")).toMatch(
      /Scaled up replica set api-\w+ from 3 to 6/,
    );
    expect(api?.evidence.map((e) => e.text)).toContain("explained by node node-a-1");
  });
});
