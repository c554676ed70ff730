import { describe, expect, it } from "vitest";
import type { Finding } from "../core/types.ts";
import { DetectPipeline } from "../detect/live/pipeline.ts";
import type { Sample } from "../sources/prometheus/scrape.ts";
import type { ToolContext } from "./context.ts";
import { DETECT_TOOLS } from "./detect-tools.ts";
import { allTools } from "./index.ts";
import { ToolRegistry } from "./registry.ts";

const registry = new ToolRegistry(DETECT_TOOLS);
const T0 = Date.UTC(2026, 0, 5);

/** Two days of steady error rate for three pods of shop/web, then one pod's errors burst. */
function errors(): Sample[] {
  const out: Sample[] = [];
  const totals = new Map<string, number>();
  for (let i = 0; i < 2 * 1440 + 10; i++) {
    for (const pod of ["web-5c9d7b8f6d-bcdfg", "web-5c9d7b8f6d-hjklm", "web-5c9d7b8f6d-npqrs"]) {
      const burst = i >= 2 * 1440 + 5 && pod.endsWith("bcdfg");
      const perMin = burst ? 600 : 10 + ((i * 7 + pod.length) % 5);
      const total = (totals.get(pod) ?? 0) + perMin;
      totals.set(pod, total);
      out.push({
        name: "http_requests_total",
        labels: { namespace: "shop", pod, code: "500" },
        t: T0 + i * 60_000,
        v: total,
      });
    }
  }
  return out;
}

describe("get_anomalies", () => {
  it("is read-only and registered once with every other tool", () => {
    expect(DETECT_TOOLS[0]?.annotations).toMatchObject({ readOnly: true, destructive: false });
    expect(allTools().filter((t) => t.name === "get_anomalies")).toHaveLength(1);
  });

  it("lists the live pipeline's anomalies with a readable explanation, filtered by namespace", async () => {
    const pipeline = new DetectPipeline();
    pipeline.observe(errors());
    const ctx = { anomalies: () => pipeline.anomalies(), findings: () => [] };
    const out = (await registry.call(ctx as Partial<ToolContext> as ToolContext, "get_anomalies", {
      namespace: "shop",
    })) as { anomalies: Finding[]; total: number };
    expect(out.total).toBe(1);
    const a = out.anomalies[0];
    expect(a).toMatchObject({
      kind: "anomaly",
      reason: "ErrorRateIncrease",
      subject: { kind: "Deployment", namespace: "shop", name: "web" },
      affected: [{ kind: "Pod", namespace: "shop", name: "web-5c9d7b8f6d-bcdfg" }],
    });
    expect(a?.rootCause).toMatch(
      /^HTTP 500 responses per second \(rate\(http_requests_total\)\{code="500"\}\) on Deployment shop\/web is anomalous: .*\b10\b/,
    );
    const none = (await registry.call(ctx as Partial<ToolContext> as ToolContext, "get_anomalies", {
      namespace: "payments",
    })) as { total: number };
    expect(none.total).toBe(0);
  });

  it("falls back to the loop's anomaly findings when no pipeline is wired", async () => {
    const f: Finding = {
      id: "a1",
      kind: "anomaly",
      severity: "warning",
      subject: { kind: "Node", name: "n1" },
      affected: [{ kind: "Node", name: "n1" }],
      rootCause: "node_hwmon_temp_celsius on Node n1 is anomalous",
      reason: "HardwareDegradation",
      evidence: [],
      confidence: 0.8,
      source: "detect/ensemble",
      time: T0,
    };
    const ctx = { findings: () => [f, { ...f, id: "p1", kind: "prediction" as const }] };
    const out = (await registry.call(ctx as Partial<ToolContext> as ToolContext, "get_anomalies", {
      minScore: 0.5,
    })) as { anomalies: Finding[]; total: number };
    expect(out.anomalies.map((x) => x.id)).toEqual(["a1"]);
  });
});
