import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import { encodeRemoteWrite } from "../../sources/prometheus/remote-write.ts";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { openDb } from "../../store/sqlite.ts";
import { DetectionConfigSchema, startDetection } from "./service.ts";

const dir = mkdtempSync(join(tmpdir(), "opsloop-detection-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 5);
const memory = (from: number, n: number): Sample[] =>
  Array.from({ length: n }, (_, i) => ({
    name: "container_memory_working_set_bytes",
    labels: { namespace: "batch", pod: "worker-6868f8bc65-sjvvf", container: "worker" },
    t: from + i * 60_000,
    v: 200 * 2 ** 20 + 2 ** 20 * Math.sin(i / 7),
  }));

describe("the detect stage as a service", () => {
  it("takes remote-write on its ingest app, saves on stop and restores on the next start", async () => {
    const path = join(dir, "opsloop.db");
    const config = DetectionConfigSchema.parse({});
    const clock = new FixedClock(T0);
    const first = await startDetection({ config, clock, db: openDb(path) });
    expect(first.restored).toBe(false);
    const res = await first.ingest.request("/api/v1/write", {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
      body: encodeRemoteWrite(memory(T0, 400)),
    });
    expect(res.status).toBe(204);
    await first.stop();
    const learned = first.pipeline.snapshot();
    expect(learned.anomalies.detectors).toHaveLength(1);

    const second = await startDetection({ config, clock, db: openDb(path) });
    expect(second.restored).toBe(true);
    expect(second.pipeline.snapshot()).toEqual(learned);
    await second.stop();
  });

  it("saves in the background, one such save at a time", async () => {
    const path = join(dir, "background.db");
    const config = DetectionConfigSchema.parse({});
    const clock = new FixedClock(T0);
    const first = await startDetection({ config, clock, db: openDb(path) });
    first.stream.push(memory(T0, 400));
    await first.stream.idle();
    const saving = first.saveInBackground();
    expect(first.saveInBackground()).toBe(saving);
    await saving;
    const learned = first.pipeline.snapshot();
    const second = await startDetection({ config, clock, db: openDb(path) });
    expect(second.restored).toBe(true);
    expect(second.pipeline.snapshot()).toEqual(learned);
    await second.stop();
    await first.stop();
  });

  it("rejects unknown configuration keys", () => {
    expect(() => DetectionConfigSchema.parse({ threshold: 0.5 })).toThrow();
  });
});
