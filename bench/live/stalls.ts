/**
 * The two event-loop stalls of live detection, timed: a new pod series' detector set-up (a copy
 * of its longest-running sibling's) and the periodic save of 3,000 warm detectors to SQLite.
 *
 *   npx node bench/live/stalls.ts [--series=3000] [--points=600]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AnomalyTracker } from "../../src/detect/live/anomalies.ts";
import type { DerivedPoint } from "../../src/detect/live/derive.ts";
import { DetectPipeline } from "../../src/detect/live/pipeline.ts";
import { DetectStateStore } from "../../src/detect/live/state-store.ts";
import type { Sample } from "../../src/sources/prometheus/scrape.ts";
import { openDb } from "../../src/store/sqlite.ts";

const args = new Map(
  process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]),
);
const SERIES = Number(args.get("series") ?? 3000);
const POINTS = Number(args.get("points") ?? 600);
const T0 = Date.UTC(2026, 0, 5);
const STEP = 60_000;

const SAFE = "bcdfghjklmnpqrstvwxz2456789";
/** A pod name suffix of Kubernetes' alphabet (so the pod is read as a Deployment's replica). */
const suffix = (n: number) =>
  Array.from({ length: 5 }, (_, k) => SAFE[Math.floor(n / SAFE.length ** k) % SAFE.length]).join(
    "",
  );
const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
const ms = (x: number) => `${x.toFixed(2)} ms`;

// 1. New series set-up: 1,000 new replicas of workloads whose first replica is warm.
{
  const tracker = new AnomalyTracker();
  const point = (w: number, pod: string, i: number): DerivedPoint => ({
    key: `latency|${w}|${pod}`,
    metric: "app_latency_seconds",
    labels: { namespace: "shop", pod },
    t: T0 + i * STEP,
    v: 0.1 + 0.03 * Math.sin(i / 50) + 0.002 * Math.sin(i * 12.9898 + w),
  });
  const W = 100;
  for (let w = 0; w < W; w++) {
    const pod = `web${w}-7d9f8c6b5d-${suffix(0)}`;
    for (let i = 0; i < POINTS; i++) tracker.observe(point(w, pod, i));
  }
  const times: number[] = [];
  for (let r = 0; r < 1000; r++) {
    const w = r % W;
    const p = point(w, `web${w}-7d9f8c6b5d-${suffix(r + 1)}`, POINTS);
    const t = performance.now();
    tracker.observe(p);
    times.push(performance.now() - t);
  }
  const total = times.reduce((a, b) => a + b, 0);
  console.log(
    `new series (copy of a warm sibling), 1000: mean ${ms(total / 1000)}, p50 ${ms(pct(times, 0.5))}, p99 ${ms(pct(times, 0.99))}, max ${ms(pct(times, 1))}`,
  );
}

// 2. Saving SERIES warm detectors.
{
  const pipeline = new DetectPipeline();
  const pods = Math.ceil(SERIES / 3);
  for (let i = 0; i < POINTS; i++) {
    const batch: Sample[] = [];
    for (let p = 0; p < pods; p++) {
      const labels = { namespace: "shop", pod: `p${p}-7d9f8c6b5d-${suffix(p)}` };
      for (const [m, base] of [
        ["app_latency_seconds", 0.1],
        ["app_queue_depth", 20],
        ["container_memory_working_set_bytes", 2 ** 28],
      ] as const) {
        batch.push({
          name: m,
          labels: m.startsWith("container") ? { ...labels, container: "app" } : labels,
          t: T0 + i * STEP,
          v: base * (1 + 0.3 * Math.sin(i / 40 + p) + 0.05 * Math.sin(i * 12.9898 + p)),
        });
      }
    }
    pipeline.observe(batch);
  }
  console.log(`detectors: ${pipeline.stats().detectors}`);
  {
    const t = performance.now();
    const main = JSON.stringify(pipeline.snapshot(false));
    console.log(`pipeline row (no detectors): ${ms(performance.now() - t)}, ${main.length} chars`);
  }
  const dir = mkdtempSync(join(tmpdir(), "opsloop-stalls-"));
  try {
    const db = openDb(join(dir, "state.db"));
    const store = new DetectStateStore(db);
    const s = store as unknown as Record<string, unknown>;
    for (let run = 0; run < 2; run++) {
      if (typeof s.saveAsync === "function") {
        // The gaps between event-loop turns (a 0 ms timer) while the chunked save runs.
        const gaps: number[] = [];
        let last = performance.now();
        const tick = setInterval(() => {
          const now = performance.now();
          gaps.push(now - last);
          last = now;
        }, 0);
        const t = performance.now();
        await (s.saveAsync as (p: DetectPipeline, now: number) => Promise<unknown>).call(
          store,
          pipeline,
          T0,
        );
        clearInterval(tick);
        console.log(
          `async save: ${ms(performance.now() - t)} wall; event-loop gaps p50 ${ms(pct(gaps, 0.5))}, p99 ${ms(pct(gaps, 0.99))}, max ${ms(pct(gaps, 1))}, ${gaps.filter((g) => g > 20).length} of ${gaps.length} over 20 ms`,
        );
      }
      const t = performance.now();
      store.save(pipeline, T0);
      console.log(`sync save: ${ms(performance.now() - t)}`);
    }
    const t = performance.now();
    const restored = new DetectPipeline();
    store.load(restored);
    console.log(`load: ${ms(performance.now() - t)}, detectors ${restored.stats().detectors}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
