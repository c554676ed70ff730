import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCorpus, loadReferenceScores, PROFILES, scoreCorpus } from "./corpus.ts";
import { probationaryLength, scaledSigmoid } from "./sweeper.ts";

interface Expected {
  threshold: number;
  raw_score: number;
  normalized: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

describe("NAB scorer port", () => {
  const corpus = loadCorpus();
  const reference = JSON.parse(readFileSync(join(corpus.dir, "reference-scores.json"), "utf8"))
    .results as Record<string, Record<string, Expected>>;

  it("uses NAB's probation length and scaled sigmoid", () => {
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(10320)).toBe(750);
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866142981514305, 12);
    expect(scaledSigmoid(3.5)).toBe(-1);
  });

  it("loads the 35 DEV files with their 55 windows", () => {
    expect(corpus.files).toHaveLength(35);
    expect(corpus.numWindows).toBe(55);
  });

  for (const detector of ["numenta", "windowedGaussian"]) {
    it(`reproduces the reference thresholds, counts and scores of ${detector}`, () => {
      const scores = new Map(
        corpus.files.map((f) => [f.key, loadReferenceScores(corpus.dir, detector, f.key)]),
      );
      const result = scoreCorpus(corpus, scores);
      for (const profile of PROFILES) {
        const want = reference[detector]?.[profile];
        const got = result[profile];
        expect(want).toBeDefined();
        if (!want) continue;
        expect(got.threshold).toBe(want.threshold);
        expect([got.tp, got.tn, got.fp, got.fn]).toEqual([want.tp, want.tn, want.fp, want.fn]);
        expect(Math.abs(got.score - want.raw_score)).toBeLessThan(1e-9);
        expect(Math.abs(got.normalised - want.normalized)).toBeLessThan(1e-6);
      }
    });
  }

  it("rejects a score that is not a finite number", () => {
    const scores = new Map(corpus.files.map((f) => [f.key, f.values.map(() => 0)]));
    const first = corpus.files[0];
    if (first) scores.set(first.key, [Number.NaN, ...first.values.slice(1).map(() => 0)]);
    expect(() => scoreCorpus(corpus, scores)).toThrow(/row 1 has score NaN/);
  });

  it("scores the null detector at 0 on every profile", () => {
    const zeros = new Map(corpus.files.map((f) => [f.key, f.values.map(() => 0)]));
    const result = scoreCorpus(corpus, zeros);
    for (const profile of PROFILES) {
      expect(result[profile].normalised).toBe(0);
      expect(result[profile].threshold).toBe(1.1);
    }
  });
});
