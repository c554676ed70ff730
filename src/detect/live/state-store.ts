/**
 * Persists the detect pipeline's learned state in SQLite (migration 3, `detector_state`): one
 * row per series detector (gzipped JSON, ~80 KB for a warm ensemble, mostly its seasonal and
 * surprise rings) and one row, `pipeline`, for the rest, which names the set of detector rows
 * that belongs to it.
 *
 * A save writes its detector rows under a prefix of its own (`g:<id>:<series>`), then points the
 * `pipeline` row at them (one statement), then deletes the older rows: a crash at any moment
 * leaves the last complete save loadable, and rows of an unfinished save are ignored and deleted
 * by the next. The periodic save (`saveAsync`) goes a few detectors per event-loop turn, their
 * gzip in the thread pool, so requests never wait behind it for more than a few ms (saving 3,000
 * detectors at once held the loop for seconds); each detector row is consistent in itself, taken
 * at its own moment of the save. `save` does it all in one transaction (shutdown). Databases
 * written before prefixes (rows `det:<series>`, none named in the `pipeline` row) load as before.
 */
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { gunzipSync, gzip, gzipSync } from "node:zlib";
import type { Db } from "../../store/sqlite.ts";
import type { AnomalyState } from "./anomalies.ts";
import type { DetectPipeline, PipelineState } from "./pipeline.ts";

const MAIN = "pipeline";
/** Detector rows of saves from before prefixes. */
const LEGACY = "det:";
/** Level 1 costs half the CPU of zlib's default 6, for rows ~4% larger. */
const GZIP = { level: 1 };
const gzipAsync = promisify(gzip);

type Detectors = AnomalyState["detectors"];

interface MainRow extends PipelineState {
  /** The key prefix of this save's detector rows (LEGACY when absent). */
  detectorRows?: string;
}

export interface SaveOptions {
  /** Main-thread time one event-loop turn of the save may take, roughly (at least one detector). */
  budgetMs?: number;
}

/** The first key after every key that starts with `prefix` (which ends in ":"). */
const after = (prefix: string) => `${prefix.slice(0, -1)};`;
const newPrefix = () => `g:${randomUUID().slice(0, 13)}:`;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class DetectStateStore {
  private readonly db: Db;
  /** Bumped by every save: an unfinished async save that sees a later one started stops writing. */
  private epoch = 0;

  constructor(db: Db) {
    this.db = db;
  }

  /** Saves everything in one transaction (blocks for as long as that takes: shutdown). */
  save(pipeline: DetectPipeline, now: number): void {
    this.epoch++;
    const prefix = newPrefix();
    const upsert = this.upsert();
    this.transaction(() => {
      this.db.exec("DELETE FROM detector_state");
      for (const key of pipeline.seriesKeys()) {
        const d = pipeline.snapshotSeries(key);
        if (d) upsert.run(prefix + key, now, gzipSync(JSON.stringify(d), GZIP));
      }
      this.writeMain(pipeline, now, prefix);
    });
  }

  /**
   * Saves a few detectors per event-loop turn, then switches to the new save and deletes the
   * old one. Resolves false when a later save (either kind) started meanwhile and took over;
   * series that appear during the save wait for the next one.
   */
  async saveAsync(pipeline: DetectPipeline, now: number, opts: SaveOptions = {}): Promise<boolean> {
    const epoch = ++this.epoch;
    const budget = opts.budgetMs ?? 4;
    const prefix = newPrefix();
    const keys = pipeline.seriesKeys();
    for (let i = 0; i < keys.length; ) {
      await nextTurn();
      if (epoch !== this.epoch) return false;
      const started = performance.now();
      const batch: [string, string][] = [];
      do {
        const key = keys[i++] as string;
        const d = pipeline.snapshotSeries(key);
        if (d) batch.push([key, JSON.stringify(d)]);
      } while (i < keys.length && performance.now() - started < budget);
      const bodies = await Promise.all(batch.map(([, json]) => gzipAsync(json, GZIP)));
      if (epoch !== this.epoch) return false;
      const upsert = this.upsert();
      this.transaction(() => {
        for (let j = 0; j < batch.length; j++) {
          upsert.run(prefix + (batch[j] as [string, string])[0], now, bodies[j] as Uint8Array);
        }
      });
    }
    await nextTurn();
    if (epoch !== this.epoch) return false;
    // The switch: one statement, atomic on its own.
    this.writeMain(pipeline, now, prefix);
    // Older rows go a few per turn too (each frees a chain of overflow pages).
    const stale = this.db
      .prepare("SELECT key FROM detector_state WHERE key <> ? AND NOT (key >= ? AND key < ?)")
      .all(MAIN, prefix, after(prefix)) as { key: string }[];
    const del = this.db.prepare("DELETE FROM detector_state WHERE key = ?");
    for (let i = 0; i < stale.length; ) {
      await nextTurn();
      // A later save deletes them itself.
      if (epoch !== this.epoch) return true;
      const started = performance.now();
      this.transaction(() => {
        do del.run((stale[i++] as { key: string }).key);
        while (i < stale.length && performance.now() - started < budget);
      });
    }
    return true;
  }

  /** Restores a saved state into `pipeline`; false when nothing was saved yet. */
  load(pipeline: DetectPipeline): boolean {
    const main = this.db.prepare("SELECT body FROM detector_state WHERE key = ?").get(MAIN) as
      | { body: string }
      | undefined;
    if (!main) return false;
    const { detectorRows = LEGACY, ...state } = JSON.parse(main.body) as MainRow;
    // In the order saved (the tracker's): which sibling a new pod copies goes by it on a tie.
    const rows = this.db
      .prepare("SELECT key, body FROM detector_state WHERE key >= ? AND key < ? ORDER BY rowid")
      .all(detectorRows, after(detectorRows)) as { key: string; body: Uint8Array }[];
    const detectors: Detectors = rows.map((r) => [
      r.key.slice(detectorRows.length),
      JSON.parse(gunzipSync(r.body).toString()),
    ]);
    pipeline.restore({ ...state, anomalies: { ...state.anomalies, detectors } });
    return true;
  }

  private upsert() {
    return this.db.prepare(
      "INSERT OR REPLACE INTO detector_state (key, updated_at, body) VALUES (?, ?, ?)",
    );
  }

  private writeMain(pipeline: DetectPipeline, now: number, prefix: string): void {
    const main: MainRow = { ...pipeline.snapshot(false), detectorRows: prefix };
    this.upsert().run(MAIN, now, JSON.stringify(main));
  }

  private transaction(f: () => void): void {
    this.db.exec("BEGIN");
    try {
      f();
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }
}
