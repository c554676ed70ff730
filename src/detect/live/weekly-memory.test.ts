import { describe, expect, it } from "vitest";
import { cloneWeekly, lastWeek, remember, type WeeklyMemory } from "./weekly-memory.ts";

const WEEK = 7 * 86_400_000;
const T = Date.UTC(2026, 0, 10); // a Saturday 00:00

describe("weekly memory of surprises", () => {
  it("recalls last week's surprise at the same time of the week, give or take ten minutes", () => {
    const m: WeeklyMemory = {};
    remember(m, T, 0.9);
    expect(lastWeek(m, T + WEEK)).toBe(0.9);
    expect(lastWeek(m, T + WEEK + 9 * 60_000)).toBe(0.9);
    expect(lastWeek(m, T + WEEK + 60 * 60_000)).toBe(0);
    // Not this week's own surprise, and not one from two weeks ago.
    expect(lastWeek(m, T + 60_000)).toBe(0);
    expect(lastWeek(m, T + 2 * WEEK)).toBe(0);
  });

  it("keeps last week's value when this week's arrives in the same slot", () => {
    const m: WeeklyMemory = {};
    remember(m, T, 0.8);
    remember(m, T + WEEK, 0.95);
    expect(lastWeek(m, T + WEEK + 1000)).toBe(0.8);
    expect(lastWeek(m, T + 2 * WEEK)).toBe(0.95);
  });

  it("ignores unremarkable scores so memory stays sparse", () => {
    const m: WeeklyMemory = {};
    for (let t = T; t < T + WEEK; t += 60_000) remember(m, t, 0.1);
    expect(Object.keys(m)).toHaveLength(0);
  });

  it("copies into a memory equal to a structuredClone that shares nothing with the original", () => {
    const m: WeeklyMemory = {};
    for (let i = 0; i < 50; i++) remember(m, T + i * 3_600_000, 0.3 + i / 100);
    remember(m, T + WEEK, 0.9);
    const copy = cloneWeekly(m);
    expect(copy).toEqual(structuredClone(m));
    remember(copy, T + 2 * 3_600_000 + 60_000, 0.99);
    remember(copy, T + WEEK + 3_600_000, 0.99);
    expect(lastWeek(m, T + WEEK + 2 * 3_600_000)).toBeCloseTo(0.32);
    expect(m).not.toEqual(copy);
  });
});
