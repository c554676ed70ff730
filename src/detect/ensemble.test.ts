import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../core/ids.ts";
import { EnsembleDetector } from "./ensemble.ts";
import { DEFAULT_NAB_DIR } from "./nab/corpus.ts";
import { formatScoredCsv, scoreCsv } from "./score-csv.ts";

const taxi = readFileSync(join(DEFAULT_NAB_DIR, "data/realKnownCause/nyc_taxi.csv"), "utf8");

/** nyc_taxi's rows as [timestamp, value] cells, with the times in epoch ms. */
function taxiRows(): { rows: string[][]; times: number[] } {
  const rows = taxi
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
  return { rows, times: rows.map((r) => Date.parse(`${r[0]}Z`)) };
}

function seasonal(n: number, spikeAt: number): string {
  const lines = ["timestamp,value"];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 300_000)
      .toISOString()
      .slice(0, 19)
      .replace("T", " ");
    const v =
      100 +
      20 * Math.sin((2 * Math.PI * i) / 288) +
      ((i * 7919) % 13) / 4 +
      (i === spikeAt ? 80 : 0);
    lines.push(`${t},${v}`);
  }
  return lines.join("\n");
}

describe("EnsembleDetector", () => {
  it("gives the same scores on the same data (deterministic)", () => {
    const a = scoreCsv(taxi).map((r) => r.anomaly_score);
    const b = scoreCsv(taxi).map((r) => r.anomaly_score);
    expect(a).toEqual(b);
    expect(a.every((s) => s >= 0 && s <= 1)).toBe(true);
  });

  it("does not look ahead: a prefix scores the same when more data is appended", () => {
    const lines = taxi.trim().split("\n");
    const prefix = lines.slice(0, 3001).join("\n");
    const short = scoreCsv(prefix).map((r) => r.anomaly_score);
    const long = scoreCsv(taxi).map((r) => r.anomaly_score);
    expect(short).toHaveLength(3000);
    expect(long.slice(0, 3000)).toEqual(short);
  });

  it("continues identically after snapshot and restore through JSON", () => {
    const { rows, times } = taxiRows();
    const values = rows.map((r) => Number(r[1]));
    const whole = new EnsembleDetector();
    const first = new EnsembleDetector();
    for (let i = 0; i < 2000; i++) {
      whole.update(times[i] as number, values[i] as number);
      first.update(times[i] as number, values[i] as number);
    }
    const resumed = new EnsembleDetector();
    resumed.restore(JSON.parse(JSON.stringify(first.snapshot())));
    for (let i = 2000; i < values.length; i++) {
      const t = times[i] as number;
      const v = values[i] as number;
      expect(resumed.update(t, v).score).toBe(whole.update(t, v).score);
    }
  });

  it("clones into a detector that scores on exactly as a snapshot/restore copy, sharing nothing", () => {
    const { rows, times } = taxiRows();
    // A stuck stretch, so the flat-run channel has something to say.
    const values = rows.map((r, i) => (i >= 3000 && i < 3400 ? 5000 : Number(r[1])));
    const objectsOf = (root: unknown): Set<object> => {
      const seen = new Set<object>();
      const walk = (x: unknown) => {
        if (typeof x !== "object" || x === null || seen.has(x)) return;
        seen.add(x);
        if (x instanceof Map) for (const e of x) walk(e);
        else if (!ArrayBuffer.isView(x)) for (const v of Object.values(x)) walk(v);
        else seen.add((x as ArrayBufferView).buffer);
      };
      walk(root);
      return seen;
    };
    const stateOf = (d: EnsembleDetector) => (d as unknown as { s: object }).s;
    for (const options of [{}, { flatZ: 0 }]) {
      // During every warm-up (context, range, shift, likelihood) and once all channels are warm.
      for (const at of [0, 1, 50, 150, 270, 300, 2000, 2990]) {
        const original = new EnsembleDetector(options);
        for (let i = 0; i < at; i++) original.update(times[i] as number, values[i] as number);
        const clone = original.clone();
        const mine = objectsOf(stateOf(original));
        for (const o of objectsOf(stateOf(clone))) expect(mine.has(o)).toBe(false);
        const restored = new EnsembleDetector(options);
        restored.restore(original.snapshot());
        const end = Math.min(values.length, at + 3000);
        for (let i = at; i < end; i++) {
          const t = times[i] as number;
          const v = values[i] as number;
          const want = restored.update(t, v);
          const got = clone.update(t, v);
          if (got.score !== want.score || got.explanation !== want.explanation) {
            expect({ at, i, ...got }).toEqual({ at, i, ...want });
          }
        }
        expect(clone.snapshot()).toEqual(restored.snapshot());
        // Feeding the clone left the original where it was (and the other way round).
        const before = structuredClone(clone.snapshot());
        const untouched = new EnsembleDetector(options);
        for (let i = 0; i < at; i++) untouched.update(times[i] as number, values[i] as number);
        expect(original.snapshot()).toEqual(untouched.snapshot());
        for (let i = at; i < end; i++) original.update(times[i] as number, values[i] as number);
        expect(clone.snapshot()).toEqual(before);
      }
    }
  });

  it("scores a spike in a daily-seasonal series highest and explains it", () => {
    const rows = scoreCsv(seasonal(4000, 3500));
    const top = rows.reduce(
      (best, r, i) => (r.anomaly_score > (rows[best]?.anomaly_score ?? -1) ? i : best),
      0,
    );
    expect(top).toBe(3500);
    expect(rows[3500]?.explanation).toMatch(/usual/);
  });
});

describe("EnsembleDetector on a strongly daily series", () => {
  it("flags a daily jump that did not come and says it breaks the daily pattern", () => {
    // Every day the value steps from 10 to 50 for the afternoon; on day 12 it stays at 10.
    const d = new EnsembleDetector();
    const day = 288;
    const out = [];
    for (let i = 0; i < 14 * day; i++) {
      const inDay = i % day;
      const high = inDay >= 150 && inDay < 250 && Math.floor(i / day) !== 12;
      const v = (high ? 50 : 10) + ((i * 7919) % 11) / 10;
      out.push(d.update(i * 300_000, v));
    }
    const missed = out.slice(12 * day + 150, 12 * day + 250);
    const best = missed.reduce((a, b) => (b.score > a.score ? b : a));
    expect(best.score).toBeGreaterThan(0.6);
    expect(best.explanation).toMatch(/breaks the series' daily pattern/);
    // The ordinary days after it stay quiet.
    expect(Math.max(...out.slice(13 * day + 260).map((o) => o.score))).toBeLessThan(0.5);
  });
});

describe("EnsembleDetector input", () => {
  it("skips non-finite values without changing later scores", () => {
    const a = new EnsembleDetector();
    const b = new EnsembleDetector();
    for (let i = 0; i < 500; i++) {
      const v = Math.sin(i / 10) + (i === 400 ? 5 : 0);
      if (i === 200) expect(b.update(i * 60_000, Number.NaN).score).toBe(0);
      expect(b.update(i * 60_000, v).score).toBe(a.update(i * 60_000, v).score);
    }
  });
});

describe("scoreCsv", () => {
  it("writes timestamp,value,anomaly_score with one row per input row", () => {
    const out = formatScoredCsv(scoreCsv(seasonal(50, -1)))
      .trim()
      .split("\n");
    expect(out[0]).toBe("timestamp,value,anomaly_score");
    expect(out).toHaveLength(51);
  });

  it("rejects a bad header clearly", () => {
    expect(() => scoreCsv("time,val\n2024-01-01 00:00:00,1")).toThrow(
      /header must start with "timestamp,value"/,
    );
  });

  it("rejects a bad number with its line", () => {
    expect(() =>
      scoreCsv("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,abc"),
    ).toThrow(/line 3: value "abc" is not a number/);
  });

  it("rejects a bad timestamp with its line", () => {
    expect(() => scoreCsv("timestamp,value\nyesterday-ish,1")).toThrow(/line 2: timestamp/);
  });

  it("is not muted for good by a flat start: a spike much later still scores high", () => {
    // 200 zeros, then noise: the first move is ~1000 usual changes against the flat start's scale.
    // Before the surprise cap and the KNN distance floor the likelihood's spread was blown up by
    // it and this spike scored 0.17 (the range channel is off, so only the likelihood can see it).
    const d = new EnsembleDetector({ rangeWeight: 0 });
    const random = seededRandom(11);
    const scores: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = i < 200 ? 0 : 10 + (random() - 0.5) * 2 + (i === 2500 ? 3 : 0);
      scores.push(d.update(Date.UTC(2024, 0, 1) + i * 300_000, v).score);
    }
    expect(scores[2500]).toBeGreaterThan(0.6);
  });

  it("finds NAB's load-balancer spike burst by the rate of jumps and says so", () => {
    // Isolated spikes all along; the labelled anomaly (rows 2734–3136) is spikes coming more often.
    const csv = readFileSync(
      join(DEFAULT_NAB_DIR, "data/artificialWithAnomaly/art_load_balancer_spikes.csv"),
      "utf8",
    );
    const rows = csv.trim().split("\n").slice(1);
    const bestInWindow = (d: EnsembleDetector) => {
      const out = rows.map((line) => {
        const [t, v] = line.split(",");
        return d.update(Date.parse(`${t}Z`), Number(v));
      });
      return out.slice(2734, 3137).reduce((a, b) => (b.score > a.score ? b : a));
    };
    // The default detector finds it (its highest score there is the burst's new maximum, 3.22).
    expect(bestInWindow(new EnsembleDetector()).score).toBeGreaterThan(0.6);
    // Without the range and shift channels, the burst channel alone finds it.
    const burst = bestInWindow(new EnsembleDetector({ rangeWeight: 0, shiftWeight: 0 }));
    expect(burst.score).toBeGreaterThan(0.6);
    expect(burst.explanation).toMatch(
      /^large jumps came unusually often: about [\d.]+ in the last 50 points, against about [\d.]+ usually$/,
    );
  });

  it("flags a series stuck on one value for longer than ever, once, and says so", () => {
    // A busy series that idles at 0 for 10–30 points at a time, then sits at 0 for 120.
    const random = seededRandom(11);
    const d = new EnsembleDetector();
    const values: number[] = [];
    while (values.length < 1500) {
      const busy = 20 + Math.floor(random() * 20);
      for (let i = 0; i < busy; i++) values.push(50 + 30 * random());
      const idle = 10 + Math.floor(random() * 21);
      for (let i = 0; i < idle; i++) values.push(0);
    }
    const stuckAt = values.length;
    for (let i = 0; i < 120; i++) values.push(0);
    const out = values.map((v, i) => d.update(i * 300_000, v));
    const alerts = out.flatMap((o, i) => (o.score >= 0.7 && i >= stuckAt ? [{ i, o }] : []));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.i).toBeLessThanOrEqual(stuckAt + 31);
    expect(alerts[0]?.o.explanation).toMatch(
      /value 0 has not changed for 3\d points, longer than this series has ever stayed put \(longest before: 3\d\)/,
    );
  });
});
