import { describe, expect, it } from "vitest";
import { matchesSelector } from "./label-selector.ts";

describe("matchesSelector", () => {
  const labels = { a: "1", b: "2" };

  it("needs every matchLabels pair and every expression operator to hold", () => {
    expect(matchesSelector({ matchLabels: { a: "1" } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { a: "1", b: "3" } }, labels)).toBe(false);
    const expr = (key: string, operator: string, values?: string[]) =>
      matchesSelector({ matchExpressions: [{ key, operator, values }] }, labels);
    expect(expr("a", "In", ["1", "3"])).toBe(true);
    expect(expr("c", "In", ["1"])).toBe(false);
    expect(expr("b", "NotIn", ["2"])).toBe(false);
    expect(expr("c", "NotIn", ["2"])).toBe(true);
    expect(expr("c", "Exists")).toBe(false);
    expect(expr("c", "DoesNotExist")).toBe(true);
  });

  it("matches nothing with a nil selector and everything with an empty one", () => {
    expect(matchesSelector(undefined, labels)).toBe(false);
    expect(matchesSelector(null, labels)).toBe(false);
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesSelector({}, undefined)).toBe(true);
  });
});
