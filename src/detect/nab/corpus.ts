/**
 * Loading the NAB corpus (data, windows, profiles, committed results) from the shared datasets
 * folder, and scoring a detector's per-row scores over the whole corpus as NAB's
 * `run.py --optimize --score --normalize` does: one threshold per profile for all files.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { nabDir } from "../../config/config.ts";
import { OpsloopError } from "../../core/errors.ts";
import { parseSeriesCsv } from "./csv.ts";
import {
  type AnomalyPoint,
  bestThreshold,
  type CostMatrix,
  calcScoreByThreshold,
  calcSweepScore,
  normalise,
  scoreAtThreshold,
  type ThresholdScore,
  windowIndices,
} from "./sweeper.ts";

export const PROFILES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"] as const;
export type ProfileName = (typeof PROFILES)[number];

export const DEFAULT_NAB_DIR = nabDir();

export interface NabFile {
  /** "<category>/<file>.csv", the key used in the label files. */
  key: string;
  timestamps: string[];
  times: number[];
  values: number[];
  windows: [number, number][];
}

export interface NabCorpus {
  dir: string;
  files: NabFile[];
  profiles: Record<ProfileName, CostMatrix>;
  numWindows: number;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Window bounds carry microseconds ("… 07:15:00.000000"); data rows do not. */
function normaliseBound(bound: string): string {
  return bound.replace(/\.0+$/, "");
}

export function loadCorpus(dir = DEFAULT_NAB_DIR, only?: (key: string) => boolean): NabCorpus {
  const windows = readJson(join(dir, "labels/combined_windows.json")) as Record<
    string,
    [string, string][]
  >;
  const rawProfiles = readJson(join(dir, "config/profiles.json")) as Record<
    string,
    { CostMatrix: CostMatrix }
  >;
  const profiles = {} as Record<ProfileName, CostMatrix>;
  for (const p of PROFILES) {
    const m = rawProfiles[p]?.CostMatrix;
    if (!m) throw new OpsloopError("invalid_input", `profile ${p} missing from profiles.json`);
    profiles[p] = m;
  }
  const files: NabFile[] = [];
  for (const key of Object.keys(windows).sort()) {
    if (only && !only(key)) continue;
    const series = parseSeriesCsv(readFileSync(join(dir, "data", key), "utf8"));
    const bounds = (windows[key] ?? []).map(
      ([a, b]) => [normaliseBound(a), normaliseBound(b)] as const,
    );
    files.push({
      key,
      timestamps: series.timestamps,
      times: series.times,
      values: series.values,
      windows: windowIndices(series.timestamps, bounds),
    });
  }
  const numWindows = files.reduce((n, f) => n + f.windows.length, 0);
  return { dir, files, profiles, numWindows };
}

/** The anomaly_score column of a committed NAB results file (gzip). */
export function loadReferenceScores(dir: string, detector: string, key: string): number[] {
  const [category, file] = key.split("/");
  const path = join(dir, "reference-results", detector, `${category}`, `${detector}_${file}.gz`);
  const lines = gunzipSync(readFileSync(path)).toString("utf8").split(/\r?\n/);
  const header = (lines[0] ?? "").split(",");
  const col = header.indexOf("anomaly_score");
  if (col < 0) throw new OpsloopError("invalid_input", `${path}: no anomaly_score column`);
  return lines
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => Number(l.split(",")[col]));
}

export function referenceDetectors(dir = DEFAULT_NAB_DIR): string[] {
  return readdirSync(join(dir, "reference-results")).sort();
}

export interface ProfileResult extends ThresholdScore {
  normalised: number;
}

/** Optimise the threshold over the corpus, then score and normalise, for every profile. */
export function scoreCorpus(
  corpus: NabCorpus,
  scoresByFile: ReadonlyMap<string, readonly number[]>,
): Record<ProfileName, ProfileResult> {
  const out = {} as Record<ProfileName, ProfileResult>;
  for (const profile of PROFILES) {
    const cost = corpus.profiles[profile];
    const points: AnomalyPoint[] = [];
    for (const f of corpus.files) {
      const scores = scoresByFile.get(f.key);
      if (!scores || scores.length !== f.values.length) {
        throw new OpsloopError("invalid_input", `${f.key}: scores missing or of the wrong length`);
      }
      const bad = scores.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) {
        throw new OpsloopError(
          "invalid_input",
          `${f.key}: row ${bad + 1} has score ${scores[bad]}`,
        );
      }
      for (const p of calcSweepScore(scores, f.windows, cost, f.key)) points.push(p);
    }
    const best = bestThreshold(calcScoreByThreshold(points, cost));
    const scored = scoreAtThreshold(points, best.threshold, cost);
    out[profile] = { ...scored, normalised: normalise(scored.score, corpus.numWindows, cost) };
  }
  return out;
}
