import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { type Db, openDb } from "../../store/sqlite.ts";
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

/** `pods` replicas of one Deployment with two metrics each, once a minute. */
function busy(from: number, minutes: number, pods: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < minutes; i++) {
    const t = from + i * 60_000;
    for (let k = 0; k < pods; k++) {
      const pod = `api-5c8b9f7d4c-${"bcdfg"[k % 5]}x2x${k}`;
      for (const name of ["app_latency_seconds", "app_queue_depth"]) {
        const v = 1 + 0.3 * Math.sin(i / 30 + k) + 0.05 * Math.sin(i * 12.9898 + k);
        out.push({ name, labels: { namespace: "shop", pod }, t, v });
      }
    }
  }
  return out;
}

const rowCount = (db: Db) =>
  (db.prepare("SELECT count(*) AS n FROM detector_state").get() as { n: number }).n;

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

  it("saves in the background a few detectors per event-loop turn, loadable as the whole", async () => {
    const path = join(dir, "async.db");
    const p = new DetectPipeline();
    p.observe(busy(T0, 400, 6));
    const db = openDb(path);
    const store = new DetectStateStore(db);
    store.save(p, T0);
    p.observe(busy(T0 + 400 * 60_000, 30, 6));
    let done = false;
    const saving = store.saveAsync(p, T0 + 1, { budgetMs: 0 }).then((ok) => {
      done = true;
      return ok;
    });
    // Other work runs between its turns, and meanwhile the previous save stays the one loaded.
    let turns = 0;
    while (!done) {
      await new Promise((r) => setImmediate(r));
      turns++;
      if (turns === 3) {
        const mid = new DetectPipeline();
        new DetectStateStore(openDb(path)).load(mid);
        expect(mid.stats().latest).toBe(T0 + 399 * 60_000);
      }
    }
    expect(await saving).toBe(true);
    expect(turns).toBeGreaterThan(6);
    const after = new DetectPipeline();
    expect(new DetectStateStore(openDb(path)).load(after)).toBe(true);
    expect(after.snapshot()).toEqual(p.snapshot());
    // The older save's rows are gone: one row per detector and the pipeline's.
    expect(rowCount(db)).toBe(p.stats().detectors + 1);
  }, 30_000);

  it("keeps the previous save loadable when a save dies half-way, and cleans up after it", async () => {
    const path = join(dir, "crash.db");
    const p = new DetectPipeline();
    p.observe(busy(T0, 400, 6));
    const db = openDb(path);
    const store = new DetectStateStore(db);
    await store.saveAsync(p, T0);
    const saved = p.snapshot();
    p.observe(busy(T0 + 400 * 60_000, 30, 6));
    // The process "dies" after three detectors of the next save were written.
    let left = 3;
    const dying = Object.create(p) as DetectPipeline;
    dying.snapshotSeries = (key) => {
      if (left-- === 0) throw new Error("killed");
      return p.snapshotSeries(key);
    };
    await expect(store.saveAsync(dying, T0 + 1, { budgetMs: 0 })).rejects.toThrow("killed");
    expect(rowCount(db)).toBe(p.stats().detectors + 1 + 3);
    const reloaded = new DetectPipeline();
    expect(new DetectStateStore(openDb(path)).load(reloaded)).toBe(true);
    expect(reloaded.snapshot()).toEqual(saved);
    // The next save, either kind, leaves only its own rows.
    await store.saveAsync(p, T0 + 2);
    expect(rowCount(db)).toBe(p.stats().detectors + 1);
  }, 30_000);

  it("lets a save at shutdown take over from a background save still running", async () => {
    const path = join(dir, "takeover.db");
    const p = new DetectPipeline();
    p.observe(busy(T0, 400, 6));
    const db = openDb(path);
    const store = new DetectStateStore(db);
    const background = store.saveAsync(p, T0, { budgetMs: 0 });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    p.observe(busy(T0 + 400 * 60_000, 5, 6));
    store.save(p, T0 + 1);
    expect(await background).toBe(false);
    expect(rowCount(db)).toBe(p.stats().detectors + 1);
    const after = new DetectPipeline();
    new DetectStateStore(openDb(path)).load(after);
    expect(after.snapshot()).toEqual(p.snapshot());
  }, 30_000);

  it("loads a database saved before detector rows had a save's prefix", () => {
    const p = new DetectPipeline();
    p.observe(busy(T0, 400, 3));
    const db = openDb();
    // What the store wrote until then: `det:<series>` rows and the pipeline's row naming none.
    const { detectors, ...anomalies } = p.snapshot().anomalies;
    const upsert = db.prepare(
      "INSERT INTO detector_state (key, updated_at, body) VALUES (?, ?, ?)",
    );
    upsert.run(
      "pipeline",
      T0,
      JSON.stringify({ ...p.snapshot(), anomalies: { ...anomalies, detectors: [] } }),
    );
    for (const [key, d] of detectors) upsert.run(`det:${key}`, T0, gzipSync(JSON.stringify(d)));
    const after = new DetectPipeline();
    expect(new DetectStateStore(db).load(after)).toBe(true);
    expect(after.snapshot()).toEqual(p.snapshot());
  });

  it("reports that nothing was saved yet, and refuses a foreign snapshot", () => {
    const p = new DetectPipeline();
    expect(new DetectStateStore(openDb()).load(p)).toBe(false);
    expect(() => p.restore({ version: 2 } as never)).toThrow(/not a detect pipeline snapshot/);
  });
});
