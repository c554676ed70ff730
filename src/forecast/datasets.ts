import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { datasetsDir } from "../config/config.ts";
import { OpsloopError } from "../core/errors.ts";

export function hasDataset(name: string): boolean {
  return existsSync(join(datasetsDir(), name));
}

export interface M4Series {
  id: string;
  train: number[];
  test: number[];
}

/** M4 CSVs quote every field and leave trailing cells empty for shorter series. */
function parseM4Csv(text: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  const lines = text.split(/\r?\n/);
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    const cells = line.split(",").map((c) => c.replace(/^"|"$/g, ""));
    const id = cells[0] ?? "";
    const values = cells
      .slice(1)
      .filter((c) => c !== "")
      .map(Number);
    rows.set(id, values);
  }
  return rows;
}

export function loadM4Hourly(dir = join(datasetsDir(), "m4-hourly")): M4Series[] {
  const trainPath = join(dir, "Hourly-train.csv");
  if (!existsSync(trainPath)) {
    throw new OpsloopError("not_found", `M4 Hourly data not found at ${dir}`);
  }
  const train = parseM4Csv(readFileSync(trainPath, "utf8"));
  const test = parseM4Csv(readFileSync(join(dir, "Hourly-test.csv"), "utf8"));
  const out: M4Series[] = [];
  for (const [id, values] of train) {
    const t = test.get(id);
    if (!t) throw new OpsloopError("invalid_input", `M4 test part missing for ${id}`);
    out.push({ id, train: values, test: t });
  }
  return out;
}

export interface CraneSeries {
  name: string;
  stepSeconds: number;
  values: number[];
  periodic: boolean;
  expectedPeriodSeconds: number | null;
}

interface CraneLabel {
  file: string;
  periodic: boolean;
  expected_period_seconds: number | null;
  sample_interval_seconds: number;
  evaluated_window: { rows: number; first_row_index: number };
}

/** The 16 Crane DSP series, truncated to the window Crane's own test evaluates. */
export function loadCrane(dir = join(datasetsDir(), "crane-periodicity")): CraneSeries[] {
  const labelsPath = join(dir, "labels.json");
  if (!existsSync(labelsPath)) {
    throw new OpsloopError("not_found", `Crane periodicity data not found at ${dir}`);
  }
  const labels = JSON.parse(readFileSync(labelsPath, "utf8")) as {
    series: Record<string, CraneLabel>;
  };
  return Object.entries(labels.series).map(([name, l]) => {
    const rows = readFileSync(join(dir, l.file), "utf8").trim().split(/\r?\n/).slice(1);
    const all = rows.map((r) => Number(r.split(",")[1]));
    const { first_row_index: first, rows: n } = l.evaluated_window;
    return {
      name,
      stepSeconds: l.sample_interval_seconds,
      values: all.slice(first, first + n),
      periodic: l.periodic,
      expectedPeriodSeconds: l.expected_period_seconds,
    };
  });
}
