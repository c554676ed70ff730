/**
 * PrometheusRule alert thresholds learned from a workload's own history instead of guessed: a
 * robust baseline (median + k·MAD·1.4826, the MAD scaled to a normal σ) of mean request latency
 * (the request-duration histogram's `_sum` over `_count`), the 5xx ratio and the memory working set, each with a floor so a very quiet baseline does not
 * page on noise. The rule text is PromQL over the metric names cAdvisor and the app expose.
 */
import { percentile } from "../rightsize.ts";
import type { UsageSample } from "../usage-collect.ts";

export interface Baseline {
  median: number;
  sigma: number;
  max: number;
  n: number;
}

export function robustBaseline(values: readonly number[]): Baseline {
  const median = percentile(values, 50);
  const mad = percentile(
    values.map((v) => Math.abs(v - median)),
    50,
  );
  return { median, sigma: mad * 1.4826, max: Math.max(...values), n: values.length };
}

const COUNTED = new Set([
  "http_requests_total",
  "http_request_duration_seconds_sum",
  "http_request_duration_seconds_count",
]);

export interface WorkloadSeries {
  namespace: string;
  name: string;
  latencyMean: number[];
  errorRatio: number[];
  memoryBytes: number[];
  memoryLimitBytes?: number;
}

/** Per-workload value arrays from samples of the workload's pods (pod name `<name>-...`). */
export function workloadSeries(
  samples: Iterable<UsageSample>,
  namespace: string,
  name: string,
): WorkloadSeries {
  const out: WorkloadSeries = { namespace, name, latencyMean: [], errorRatio: [], memoryBytes: [] };
  const prefix = `${name}-`;
  const counters = new Map<string, { t: number; v: number }>();
  const perStep = new Map<number, { ok: number; err: number; seconds: number; count: number }>();
  /** The increase of a counter since its previous sample (undefined at the first or a reset). */
  const increase = (s: UsageSample): number | undefined => {
    const id = s.name + JSON.stringify(s.labels);
    const prev = counters.get(id);
    counters.set(id, { t: s.t, v: s.v });
    return prev && s.v >= prev.v ? s.v - prev.v : undefined;
  };
  for (const s of samples) {
    if (s.labels.namespace !== namespace || !s.labels.pod?.startsWith(prefix)) continue;
    if (s.name === "container_memory_working_set_bytes") {
      out.memoryBytes.push(s.v);
      continue;
    }
    if (!COUNTED.has(s.name)) continue;
    const d = increase(s);
    if (d === undefined) continue;
    const step = perStep.get(s.t) ?? { ok: 0, err: 0, seconds: 0, count: 0 };
    perStep.set(s.t, step);
    if (s.name === "http_request_duration_seconds_sum") step.seconds += d;
    else if (s.name === "http_request_duration_seconds_count") step.count += d;
    else if ((s.labels.code ?? "").startsWith("5")) step.err += d;
    else step.ok += d;
  }
  for (const { ok, err, seconds, count } of perStep.values()) {
    if (ok + err > 0) out.errorRatio.push(err / (ok + err));
    if (count > 0) out.latencyMean.push(seconds / count);
  }
  return out;
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const fmt = (x: number) => Number(x.toPrecision(3)).toString();

export function alertRules(w: WorkloadSeries, k = 6): Rule[] {
  const sel = `namespace="${w.namespace}", pod=~"${w.name}-.*"`;
  const rules: Rule[] = [];
  const learned = (b: Baseline, unit: string) =>
    `learned from ${b.n} samples: median ${fmt(b.median)}${unit}, σ ${fmt(b.sigma)}${unit}, max ${fmt(b.max)}${unit}`;
  if (w.latencyMean.length) {
    const b = robustBaseline(w.latencyMean);
    // Above the usual peaks (p95), not the historical max: saturated minutes in the history were
    // incidents, and a threshold above them would never fire again.
    const threshold = Math.max(
      b.median + k * b.sigma,
      percentile(w.latencyMean, 95) * 1.5,
      b.median * 1.5,
    );
    rules.push({
      alert: "OpsloopLatencyAboveBaseline",
      expr: `sum(rate(http_request_duration_seconds_sum{${sel}}[5m])) / sum(rate(http_request_duration_seconds_count{${sel}}[5m])) > ${fmt(threshold)}`,
      for: "10m",
      labels: { severity: "warning", workload: w.name },
      annotations: {
        summary: `${w.namespace}/${w.name} mean request latency above its learned baseline`,
        description: learned(b, "s"),
      },
    });
  }
  if (w.errorRatio.length) {
    const b = robustBaseline(w.errorRatio);
    // A 1% floor: below it, one failing request in a quiet minute would page.
    const threshold = Math.max(b.median + k * b.sigma, b.max * 1.5, 0.01);
    rules.push({
      alert: "OpsloopErrorRatioAboveBaseline",
      expr: `sum(rate(http_requests_total{${sel}, code=~"5.."}[5m])) / sum(rate(http_requests_total{${sel}}[5m])) > ${fmt(threshold)}`,
      for: "5m",
      labels: { severity: "critical", workload: w.name },
      annotations: {
        summary: `${w.namespace}/${w.name} 5xx ratio above its learned baseline`,
        description: learned(b, ""),
      },
    });
  }
  if (w.memoryBytes.length) {
    const b = robustBaseline(w.memoryBytes);
    let threshold = Math.max(b.median + k * b.sigma, b.max * 1.3);
    if (w.memoryLimitBytes) threshold = Math.min(threshold, w.memoryLimitBytes * 0.9);
    rules.push({
      alert: "OpsloopMemoryAboveBaseline",
      expr: `max(container_memory_working_set_bytes{${sel}}) > ${Math.round(threshold)}`,
      for: "15m",
      labels: { severity: "warning", workload: w.name },
      annotations: {
        summary: `${w.namespace}/${w.name} memory above its learned baseline${w.memoryLimitBytes ? " (capped at 90% of the limit)" : ""}`,
        description: learned(b, " B"),
      },
    });
  }
  return rules;
}

export function prometheusRule(
  namespace: string,
  name: string,
  rules: Rule[],
): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: `${name}-opsloop-baselines`,
      namespace,
      labels: { "opsloop.dev/generated": "true" },
    },
    spec: { groups: [{ name: `${namespace}.${name}.opsloop-baselines`, rules }] },
  };
}
