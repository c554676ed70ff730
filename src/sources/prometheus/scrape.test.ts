import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import { parseExposition, parseExpositionInTurns, Scraper, scrapeOnce } from "./scrape.ts";

const TEXT = `# HELP container_memory_working_set_bytes Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{namespace="shop",pod="worker-1",container="worker"} 1.5e+08
kube_pod_container_resource_limits{namespace="shop",pod="worker-1",container="worker",resource="memory",unit="byte"} 268435456 1767571200000
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 3
http_request_duration_seconds_bucket{le="+Inf"} 5
http_request_duration_seconds_sum 2.5
http_request_duration_seconds_count 5
`;

let url = "";
let body = TEXT;
const server = createServer((_req, res) => {
  res.writeHead(body ? 200 : 503, { "content-type": "text/plain; version=0.0.4" }).end(body);
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("prometheus exposition scraper", () => {
  it("parses in turns to the same samples, yielding when a turn's budget is spent", async () => {
    const big = Array.from({ length: 3000 }, (_, i) => TEXT.replaceAll("worker-1", `w-${i}`)).join(
      "",
    );
    let turns = 0;
    const samples = await parseExpositionInTurns(big, 42, async () => void turns++, 0);
    expect(samples).toEqual(parseExposition(big, 42));
    expect(turns).toBeGreaterThan(10);
  });

  it("parses gauges with and without timestamps and flattens histograms", () => {
    const samples = parseExposition(TEXT, 42);
    expect(samples[0]).toEqual({
      name: "container_memory_working_set_bytes",
      labels: { namespace: "shop", pod: "worker-1", container: "worker" },
      t: 42,
      v: 150_000_000,
    });
    expect(samples[1]?.t).toBe(1767571200000);
    expect(samples.slice(2).map((s) => [s.name, s.labels.le, s.v])).toEqual([
      ["http_request_duration_seconds_bucket", "0.1", 3],
      ["http_request_duration_seconds_bucket", "+Inf", 5],
      ["http_request_duration_seconds_sum", undefined, 2.5],
      ["http_request_duration_seconds_count", undefined, 5],
    ]);
  });

  it("scrapes over HTTP and reports a failing endpoint as unavailable", async () => {
    expect(await scrapeOnce(url, 1)).toHaveLength(6);
    body = "";
    await expect(scrapeOnce(url, 1)).rejects.toThrow(/returned HTTP 503/);
    body = TEXT;
  });

  it("delivers samples stamped by the injected clock on each interval", async () => {
    const clock = new FixedClock(1000);
    const got: number[] = [];
    const s = new Scraper({
      url,
      intervalMs: 20,
      clock,
      onSamples: (xs) => got.push(xs[0]?.t ?? -1),
    });
    s.start();
    await new Promise((r) => setTimeout(r, 70));
    s.stop();
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got.every((t) => t === 1000)).toBe(true);
  });
});

describe("parseExposition", () => {
  it("keeps the labels, _sum and _count of each pod's histogram", () => {
    const text = [
      "# TYPE http_request_duration_seconds histogram",
      'http_request_duration_seconds_bucket{pod="a",le="+Inf"} 2',
      'http_request_duration_seconds_sum{pod="a"} 0.3',
      'http_request_duration_seconds_count{pod="a"} 2',
      'http_request_duration_seconds_sum{pod="b"} 0.9 1700000000000',
      'weird{path="C:\\\\tmp",msg="say \\"hi\\"\\nbye"} NaN',
    ].join("\n");
    const out = parseExposition(text, 5);
    expect(out).toContainEqual({
      name: "http_request_duration_seconds_sum",
      labels: { pod: "a" },
      t: 5,
      v: 0.3,
    });
    expect(out).toContainEqual({
      name: "http_request_duration_seconds_sum",
      labels: { pod: "b" },
      t: 1_700_000_000_000,
      v: 0.9,
    });
    expect(out).toContainEqual({
      name: "http_request_duration_seconds_bucket",
      labels: { pod: "a", le: "+Inf" },
      t: 5,
      v: 2,
    });
    expect(out.find((s) => s.name === "weird")?.labels).toEqual({
      path: "C:\\tmp",
      msg: 'say "hi"\nbye',
    });
  });
});
