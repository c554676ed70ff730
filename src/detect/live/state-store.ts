/**
 * Persists the detect pipeline's learned state in SQLite (migration 3, `detector_state`): one
 * row per series detector and one for the rest, written in one transaction so a crash mid-save
 * leaves the previous state whole. Detector rows are gzipped JSON (a warm ensemble is ~140 KB of
 * JSON, mostly its seasonal and surprise rings; gzip more than halves it).
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { Db } from "../../store/sqlite.ts";
import type { AnomalyState } from "./anomalies.ts";
import type { DetectPipeline, PipelineState } from "./pipeline.ts";

const MAIN = "pipeline";
const DET = "det:";

type Detectors = AnomalyState["detectors"];

export class DetectStateStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  save(pipeline: DetectPipeline, now: number): void {
    const state = pipeline.snapshot();
    const { detectors, ...anomalies } = state.anomalies;
    const upsert = this.db.prepare(
      "INSERT OR REPLACE INTO detector_state (key, updated_at, body) VALUES (?, ?, ?)",
    );
    this.db.exec("BEGIN");
    try {
      this.db.exec("DELETE FROM detector_state");
      upsert.run(
        MAIN,
        now,
        JSON.stringify({ ...state, anomalies: { ...anomalies, detectors: [] } }),
      );
      for (const [key, d] of detectors) upsert.run(DET + key, now, gzipSync(JSON.stringify(d)));
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Restores a saved state into `pipeline`; false when nothing was saved yet. */
  load(pipeline: DetectPipeline): boolean {
    const main = this.db.prepare("SELECT body FROM detector_state WHERE key = ?").get(MAIN) as
      | { body: string }
      | undefined;
    if (!main) return false;
    const state = JSON.parse(main.body) as PipelineState;
    const rows = this.db
      .prepare("SELECT key, body FROM detector_state WHERE key LIKE 'det:%'")
      .all() as { key: string; body: Uint8Array }[];
    const detectors: Detectors = rows.map((r) => [
      r.key.slice(DET.length),
      JSON.parse(gunzipSync(r.body).toString()),
    ]);
    pipeline.restore({ ...state, anomalies: { ...state.anomalies, detectors } });
    return true;
  }
}
