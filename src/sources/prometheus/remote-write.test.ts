import snappy from "snappyjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "../../sim/server/test-harness.ts";
import { type IngestServer, startIngestServer } from "../samples/ingest-http.ts";
import { type Sample, SampleStream } from "../samples/sample-stream.ts";
import { decodeRemoteWrite, encodeRemoteWrite } from "./remote-write.ts";
import { type RunningPrometheus, startPrometheus } from "./test-prometheus.ts";

const post = (url: string, body: Uint8Array) =>
  fetch(`${url}/api/v1/write`, {
    method: "POST",
    headers: {
      "content-type": "application/x-protobuf",
      "content-encoding": "snappy",
      "x-prometheus-remote-write-version": "0.1.0",
    },
    body,
  });

describe("Prometheus remote-write 1.0 receiver", () => {
  let prom: RunningPrometheus | undefined;
  let ingest: IngestServer;
  let closeSim: () => Promise<void>;
  const stream = new SampleStream();
  const received: Sample[] = [];
  stream.subscribe((b) => received.push(...b));

  beforeAll(async () => {
    const h = await startHarness();
    closeSim = () => h.close();
    ingest = await startIngestServer(stream);
    prom = await startPrometheus({
      scrapeTargets: [`${h.cluster.url}/metrics`],
      remoteWriteUrl: `${ingest.url}/api/v1/write`,
    });
  }, 40_000);

  afterAll(async () => {
    await prom?.stop();
    await ingest?.close();
    await closeSim?.();
  });

  it("receives the samples a real Prometheus scrapes and remote-writes", async () => {
    const deadline = Date.now() + 30_000;
    while (!received.some((s) => s.name === "up") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const up = received.find((s) => s.name === "up");
    expect(up?.labels).toMatchObject({ job: "target0" });
    expect(up?.v).toBe(1);
    expect(Math.abs((up?.t ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(received.some((s) => s.name === "scrape_samples_scraped")).toBe(true);
  }, 40_000);

  it("round-trips samples through the snappy protobuf encoding", () => {
    const samples = [
      { name: "mem", labels: { pod: "a" }, t: 1_767_571_200_123, v: 1.5 },
      { name: "mem", labels: { pod: "a" }, t: 1_767_571_201_123, v: Number.NaN },
    ];
    const back = decodeRemoteWrite(encodeRemoteWrite(samples));
    expect(back[0]).toEqual(samples[0]);
    expect(back[1]?.v).toBeNaN();
  });

  it("answers 400 to a body that is not snappy protobuf and 503 with Retry-After when full", async () => {
    const bad = await post(ingest.url, new TextEncoder().encode("not snappy"));
    expect(bad.status).toBe(400);
    const noName = snappy.compress(new Uint8Array([10, 4, 10, 2, 10, 0]));
    expect((await post(ingest.url, noName)).status).toBe(400);

    const tiny = new SampleStream({ maxQueue: 2 });
    const server = await startIngestServer(tiny);
    tiny.pause();
    try {
      const body = encodeRemoteWrite([
        { name: "x", labels: {}, t: 1, v: 1 },
        { name: "x", labels: {}, t: 2, v: 2 },
      ]);
      expect((await post(server.url, body)).status).toBe(204);
      const full = await post(server.url, body);
      expect(full.status).toBe(503);
      expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      tiny.resume();
      await tiny.idle();
      expect((await post(server.url, body)).status).toBe(204);
    } finally {
      await server.close();
    }
  });

  it("a real Prometheus retries what was refused under backpressure, so nothing is lost", async () => {
    const slow = new SampleStream({ maxQueue: 10 });
    const got: Sample[] = [];
    slow.subscribe((b) => got.push(...b));
    slow.pause();
    // One queued sample, so every batch Prometheus sends is refused until delivery resumes.
    slow.push([{ name: "placeholder", labels: {}, t: 0, v: 0 }]);
    const server = await startIngestServer(slow);
    const prom2 = await startPrometheus({
      scrapeTargets: [`${prom?.url}/metrics`],
      remoteWriteUrl: `${server.url}/api/v1/write`,
    });
    try {
      const deadline = Date.now() + 20_000;
      let firstRefusal = 0;
      while (slow.stats().refusedPushes < 3 && Date.now() < deadline) {
        if (!firstRefusal && slow.stats().refusedPushes > 0) firstRefusal = Date.now();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(slow.stats().refusedPushes).toBeGreaterThanOrEqual(3);
      firstRefusal ||= Date.now();
      slow.resume();
      // The batch refused first holds samples scraped before that refusal: Prometheus sends
      // in order and retries a refused batch until it is taken, so they must arrive now.
      const early = () => got.some((s) => s.name === "up" && s.t < firstRefusal);
      while (!early() && Date.now() < deadline + 20_000) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(early(), prom2.logs()).toBe(true);
      expect(prom2.logs()).toMatch(/Failed to send batch, retrying.*503/);
    } finally {
      await prom2.stop();
      await server.close();
    }
  }, 60_000);
});
