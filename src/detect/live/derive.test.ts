import { describe, expect, it } from "vitest";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import { type DerivedPoint, Deriver, identityLabels } from "./derive.ts";

const derive = (d: Deriver, xs: Sample[]) => {
  const out: DerivedPoint[] = [];
  for (const x of xs) d.derive(x, out);
  return out;
};

describe("derived series", () => {
  it("scores counters as per-second rates and skips the step where the counter was reset", () => {
    const c = (t: number, v: number): Sample => ({
      name: "http_requests_total",
      labels: { pod: "a", code: "500" },
      t,
      v,
    });
    const out = derive(new Deriver(), [c(0, 10), c(10_000, 30), c(20_000, 5), c(30_000, 25)]);
    expect(out.map((p) => [p.metric, p.t, p.v])).toEqual([
      ["rate(http_requests_total)", 10_000, 2],
      ["rate(http_requests_total)", 30_000, 2],
    ]);
  });

  it("turns a histogram's _sum and _count into the mean observation of each step", () => {
    const h = (suffix: string, t: number, v: number): Sample => ({
      name: `rpc_duration_seconds${suffix}`,
      labels: { pod: "a" },
      t,
      v,
    });
    const out = derive(new Deriver(), [
      h("_sum", 0, 1),
      h("_count", 0, 10),
      h("_bucket", 0, 3),
      h("_sum", 15_000, 4),
      h("_count", 15_000, 20),
    ]);
    expect(out.map((p) => [p.metric, p.v])).toEqual([["mean(rpc_duration_seconds)", 0.3]]);
  });

  it("keys a pod's series without job, instance, image or node so a backfill continues a scrape", () => {
    const scraped = {
      namespace: "shop",
      pod: "web-1",
      container: "web",
      image: "web:1",
      node: "n1",
    };
    const polled = {
      namespace: "shop",
      pod: "web-1",
      container: "web",
      job: "cadvisor",
      instance: "10.0.0.1:8080",
    };
    expect(identityLabels(scraped)).toEqual(identityLabels(polled));
    expect(identityLabels({ node: "n1", device: "sda", job: "node" })).toEqual({
      node: "n1",
      device: "sda",
    });
    const d = new Deriver();
    const a = derive(d, [{ name: "mem", labels: scraped, t: 1, v: 1 }]);
    const b = derive(d, [{ name: "mem", labels: polled, t: 2, v: 1 }]);
    expect(a[0]?.key).toBe(b[0]?.key);
  });

  it("leaves target health, buckets and kube-state metadata unscored", () => {
    const out = derive(new Deriver(), [
      { name: "up", labels: {}, t: 1, v: 1 },
      { name: "kube_pod_info", labels: {}, t: 1, v: 1 },
      { name: "queue_depth", labels: {}, t: 1, v: Number.NaN },
      { name: "queue_depth", labels: {}, t: 2, v: 4 },
    ]);
    expect(out.map((p) => p.metric)).toEqual(["queue_depth"]);
  });
});
