import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { openDb } from "../../store/sqlite.ts";
import { DetectPipeline } from "./pipeline.ts";
import { DetectStateStore } from "./state-store.ts";

const dir = mkdtempSync(join(tmpdir(), "opsloop-detect-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Latency of two pods of one Deployment, once a minute, with a daily cycle and small noise. */
function latency(from: number, minutes: number, spikeAt = -1): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < minutes; i++) {
    const t = from + i * 60_000;
    for (const pod of ["checkout-7d9f8c6b5d-x2x4z", "checkout-7d9f8c6b5d-q9w8r"]) {
      const base = 0.1 + 0.03 * Math.sin((2 * Math.PI * t) / 86_400_000);
      const noise = 0.002 * Math.sin(i * 12.9898 + pod.length);
      const v = i === spikeAt ? 0.9 : base + noise;
      out.push({ name: "app_latency_seconds", labels: { namespace: "shop", pod }, t, v });
    }
  }
  return out;
}

const T0 = Date.UTC(2026, 0, 5);

describe("detector state in SQLite", () => {
  it("restores learned state after a restart, so the next points score as if never stopped", () => {
    const path = join(dir, "state.db");
    const before = new DetectPipeline();
    before.observe(latency(T0, 3 * 1440));
    new DetectStateStore(openDb(path)).save(before, T0 + 3 * 86_400_000);

    const after = new DetectPipeline();
    expect(new DetectStateStore(openDb(path)).load(after)).toBe(true);
    expect(after.snapshot()).toEqual(before.snapshot());

    // A spike right after the restart is caught: no re-warm-up (a cold pipeline stays silent).
    const next = latency(T0 + 3 * 86_400_000, 30, 20);
    before.observe(next);
    after.observe(next);
    const cold = new DetectPipeline();
    cold.observe(next);
    expect(after.findings()).toEqual(before.findings());
    expect(after.findings()).toHaveLength(1);
    expect(after.findings()[0]).toMatchObject({
      kind: "anomaly",
      reason: "LatencyIncrease",
      subject: { kind: "Deployment", namespace: "shop", name: "checkout" },
    });
    expect(after.findings()[0]?.affected).toHaveLength(2);
    expect(cold.findings()).toEqual([]);
  }, 30_000);

  it("reports that nothing was saved yet, and refuses a foreign snapshot", () => {
    const p = new DetectPipeline();
    expect(new DetectStateStore(openDb()).load(p)).toBe(false);
    expect(() => p.restore({ version: 2 } as never)).toThrow(/not a detect pipeline snapshot/);
  });
});
