import { describe, expect, it } from "vitest";
import { type Sample, SampleStream, seriesKey } from "./sample-stream.ts";

const s = (pod: string, t: number, v: number): Sample => ({
  name: "mem",
  labels: { pod },
  t,
  v,
});

describe("the internal sample stream", () => {
  it("delivers samples to consumers in push order, asynchronously and in batches", async () => {
    const stream = new SampleStream({ batchSize: 2 });
    const batches: number[][] = [];
    stream.subscribe((b) => batches.push(b.map((x) => x.v)));
    stream.push([s("a", 1, 1), s("a", 2, 2), s("b", 1, 3)]);
    expect(batches).toEqual([]);
    await stream.idle();
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("keeps only the most recent points of each series", () => {
    const stream = new SampleStream({ pointsPerSeries: 3 });
    stream.push([1, 2, 3, 4, 5].map((t) => s("a", t, t * 10)));
    const view = stream.series(seriesKey("mem", { pod: "a" }));
    expect(view?.points).toEqual([
      { t: 3, v: 30 },
      { t: 4, v: 40 },
      { t: 5, v: 50 },
    ]);
  });

  it("drops new series past the cardinality limit, counts them and warns once", () => {
    const warnings: string[] = [];
    const stream = new SampleStream({ maxSeries: 2, warn: (m) => warnings.push(m) });
    const r = stream.push([s("a", 1, 1), s("b", 1, 1), s("c", 1, 1), s("d", 1, 1), s("a", 2, 2)]);
    expect(r).toEqual({ ok: true, accepted: 3, droppedSeries: 2 });
    stream.push([s("e", 3, 1)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/series limit of 2 reached/);
    expect(stream.stats()).toMatchObject({ series: 2, droppedSeriesSamples: 3 });
    expect(stream.evictIdle(2)).toBe(1);
    expect(stream.push([s("e", 4, 1)])).toMatchObject({ ok: true, accepted: 1 });
  });

  it("refuses a whole push while the queue is full, and accepts again once it drained", async () => {
    const stream = new SampleStream({ maxQueue: 3 });
    stream.subscribe(() => {});
    expect(stream.push([s("a", 1, 1), s("a", 2, 1)]).ok).toBe(true);
    const refused = stream.push([s("a", 3, 1), s("a", 4, 1)]);
    expect(refused).toMatchObject({ ok: false, reason: "backpressure" });
    expect(stream.stats()).toMatchObject({ queued: 2, refusedPushes: 1 });
    await stream.idle();
    expect(stream.push([s("a", 3, 1), s("a", 4, 1)]).ok).toBe(true);
  });
});
