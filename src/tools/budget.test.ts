import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  downsample,
  encodeCursor,
  fitItems,
  fitTail,
  pickPath,
  project,
} from "./budget.ts";

const pod = {
  metadata: { name: "api", labels: { "app.kubernetes.io/name": "api" } },
  spec: {
    containers: [
      { name: "app", image: "api:v2" },
      { name: "proxy", image: "envoy:1.30" },
    ],
  },
};

describe("output budgets", () => {
  it("keeps the longest prefix within the item and byte budgets, but always one item", () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ i, pad: "x".repeat(100) }));
    expect(fitItems(items, 3, 1_000_000)).toHaveLength(3);
    expect(fitItems(items, 10, 400)).toHaveLength(3);
    expect(fitItems(items, 10, 10)).toHaveLength(1);
  });

  it("keeps the newest log lines within the byte budget and cuts a single huge line", () => {
    expect(fitTail(["one", "two", "three"], 9)).toEqual({ lines: ["three"], truncated: true });
    expect(fitTail(["a", "b"], 100)).toEqual({ lines: ["a", "b"], truncated: false });
    const huge = fitTail(["y".repeat(1000)], 100);
    expect(huge.truncated).toBe(true);
    expect(huge.lines[0]?.length).toBeLessThan(100);
  });

  it("round-trips continue tokens and rejects foreign ones", () => {
    const c = { serverContinue: "abc", limit: 50, offset: 7 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor(encodeCursor({ limit: 5, offset: 0 }))).toEqual({ limit: 5, offset: 0 });
    expect(() => decodeCursor("bm9wZQ")).toThrow(/continue token/);
  });

  it("projects fields by dotted paths, indexes, wildcards and quoted keys", () => {
    expect(pickPath(pod, "metadata.name")).toBe("api");
    expect(pickPath(pod, "spec.containers[1].image")).toBe("envoy:1.30");
    expect(pickPath(pod, "spec.containers[*].name")).toEqual(["app", "proxy"]);
    expect(pickPath(pod, 'metadata.labels["app.kubernetes.io/name"]')).toBe("api");
    expect(pickPath(pod, "$.status.phase")).toBeUndefined();
    expect(project(pod, ["metadata.name", "status.phase"])).toEqual({
      "metadata.name": "api",
      "status.phase": null,
    });
  });

  it("downsamples to evenly spaced points keeping the first and last", () => {
    const pts = Array.from({ length: 101 }, (_, i) => i);
    expect(downsample(pts, 5)).toEqual([0, 25, 50, 75, 100]);
    expect(downsample(pts.slice(0, 3), 5)).toEqual([0, 1, 2]);
  });
});
