import { describe, expect, it } from "vitest";
import type { KubeObject } from "../store/types.ts";
import { eventsWith, metricValues, startScenario } from "./harness.ts";

const MIN = 60_000;
const GI = 2 ** 30;

function nodeCondition(node: KubeObject | undefined, type: string) {
  const conds = (node?.status?.conditions ?? []) as Array<{
    type: string;
    status: string;
    reason?: string;
  }>;
  return conds.find((c) => c.type === type);
}

describe("node scenarios", () => {
  it("disk-pressure fills node-b-1, reports DiskPressure and evicts its pods", () => {
    const { cluster } = startScenario("disk-pressure", { tickMs: 2000 });
    cluster.step(11 * MIN);
    const avail = () =>
      metricValues(cluster.telemetry.render(), "node_filesystem_avail_bytes", {
        node: "node-b-1",
        mountpoint: "/",
      })[0] ?? 0;
    // 70Gi used at 1m, +40Gi/h: 100 - 70 - 40 * 10/60 ≈ 23.3Gi free at 11m.
    expect(avail() / GI).toBeCloseTo(23.33, 0);
    cluster.step(10 * MIN);
    expect(avail() / GI).toBeCloseTo(16.67, 0);
    expect(
      nodeCondition(cluster.store.get("nodes", undefined, "node-b-1"), "DiskPressure")?.status,
    ).toBe("False");

    cluster.step(12 * MIN);
    const node = cluster.store.get("nodes", undefined, "node-b-1");
    expect(nodeCondition(node, "DiskPressure")).toMatchObject({
      status: "True",
      reason: "KubeletHasDiskPressure",
    });
    const taints = (node?.spec?.taints ?? []) as Array<{ key: string }>;
    expect(taints.map((t) => t.key)).toContain("node.kubernetes.io/disk-pressure");
    const evicted = cluster.store.list("pods").filter((p) => p.status?.reason === "Evicted");
    expect(evicted.length).toBeGreaterThan(0);
    for (const p of evicted) {
      expect(p.spec?.nodeName).toBe("node-b-1");
      expect(p.status?.phase).toBe("Failed");
      expect(p.status?.message).toMatch(
        /^The node was low on resource: ephemeral-storage\. Threshold quantity: 10Gi, available: \d+Ki\./,
      );
    }
    expect(eventsWith(cluster, "EvictionThresholdMet").length).toBeGreaterThan(0);
  }, 60_000);

  it("node-degradation drifts disk latency, ECC errors and temperature, then the node goes NotReady", () => {
    const { cluster } = startScenario("node-degradation", { tickMs: 5000 });
    cluster.step(MIN);
    const read = (name: string) =>
      metricValues(cluster.telemetry.render(), name, { node: "node-c-1" })[0] ?? Number.NaN;
    cluster.step(60 * MIN);
    const latency1 = read("node_disk_read_latency_seconds");
    const temp1 = read("node_hwmon_temp_celsius");
    const ecc1 = read("node_edac_correctable_errors_total");
    // One hour in: 2ms + 15ms/h, 52°C + 8°C/h, ECC integral 2h + 30h²/2 = 17.
    expect(latency1).toBeCloseTo(0.017, 3);
    expect(temp1).toBeCloseTo(60, 0);
    expect(ecc1).toBeGreaterThanOrEqual(16);
    expect(ecc1).toBeLessThanOrEqual(17);
    cluster.step(60 * MIN);
    expect(read("node_disk_read_latency_seconds")).toBeGreaterThan(latency1);
    expect(read("node_hwmon_temp_celsius")).toBeGreaterThan(temp1);
    expect(read("node_edac_correctable_errors_total")).toBeGreaterThan(ecc1 * 3);
    expect(nodeCondition(cluster.store.get("nodes", undefined, "node-c-1"), "Ready")?.status).toBe(
      "True",
    );

    cluster.step(62 * MIN);
    const node = cluster.store.get("nodes", undefined, "node-c-1");
    expect(nodeCondition(node, "Ready")).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
    });
    // A dead node's exporter is not scraped any more.
    expect(Number.isNaN(read("node_hwmon_temp_celsius"))).toBe(true);
    expect(eventsWith(cluster, "NodeNotReady").length).toBeGreaterThan(0);
  }, 120_000);
});
