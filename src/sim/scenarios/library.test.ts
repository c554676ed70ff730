import { describe, expect, it } from "vitest";
import { listScenarios, loadScenario } from "./index.ts";
import { TimelineAction } from "./schema.ts";

describe("scenario library", () => {
  it("lists every shipped scenario and each one loads with its objects and truth", () => {
    const names = listScenarios().map((s) => s.name);
    expect(names).toHaveLength(17);
    expect(names).toContain("demo");
    for (const name of names) {
      const s = loadScenario(name);
      expect(s.name).toBe(name);
      expect(Array.isArray(s.objects) ? s.objects.length : s.objects.length).toBeGreaterThan(0);
    }
  });

  it("names the available scenarios when one is unknown", () => {
    expect(() => loadScenario("no-such-scenario")).toThrow(
      /no scenario "no-such-scenario"; available: app-crash-missing-env, bad-rollout, demo/,
    );
  });

  it("rejects a timeline entry with two actions", () => {
    const r = TimelineAction.safeParse({
      at: "1m",
      cordon: { node: "a" },
      delete: { kind: "Pod", name: "p" },
    });
    expect(r.success).toBe(false);
  });
});
