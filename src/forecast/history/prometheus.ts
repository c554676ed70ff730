/**
 * History from Prometheus: `query_range` over the series right-sizing and scaling plans read,
 * for the last N days at a fixed step, beside the cluster's objects from the informers. Counters
 * come back raw (the consumers take rates between consecutive points, resets included), so one
 * query per metric serves every container. Prometheus caps a range query at 11,000 points per
 * series: 28 days at 5 min is 8,064.
 */

import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import type { PromClient } from "../../sources/prometheus/api-client.ts";
import type { UsageSample } from "../usage-collect.ts";
import type { History } from "./simulated.ts";

const QUERIES: Record<string, string> = {
  container_cpu_usage_seconds_total:
    'container_cpu_usage_seconds_total{container!="", container!="POD"}',
  container_memory_working_set_bytes:
    'container_memory_working_set_bytes{container!="", container!="POD"}',
  http_requests_total: "http_requests_total",
  http_request_duration_seconds_sum: "http_request_duration_seconds_sum",
  http_request_duration_seconds_count: "http_request_duration_seconds_count",
};

export async function prometheusHistory(
  client: PromClient,
  snap: ClusterSnapshot,
  days: number,
  opts: { stepSeconds?: number; end?: number } = {},
): Promise<History> {
  const end = opts.end ?? Date.now();
  const step = (opts.stepSeconds ?? 300) * 1000;
  const start = end - days * 86_400_000;
  const samples: UsageSample[] = [];
  for (const [name, promql] of Object.entries(QUERIES)) {
    for (const series of await client.queryRange(promql, start, end, step)) {
      const { __name__: _, ...labels } = series.labels;
      for (const p of series.points) samples.push({ name, labels, t: p.t, v: p.v });
    }
  }
  samples.sort((a, b) => a.t - b.t);
  return { snap, samples, end };
}
