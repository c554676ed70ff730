/**
 * Builds the wide table (`<service>_<metric>`) from successive Prometheus scrapes: per service,
 * request rate (`rps`), error share (`errors`, non-2xx/3xx), mean latency in ms (`latency`,
 * from the duration histogram's _sum/_count), CPU millicores (`cpu`) and working-set MiB
 * (`mem`). Counters are turned into per-interval rates series by series, so a pod that
 * restarts or is replaced (its counters start again at 0) does not produce negative rates.
 */
import type { Sample } from "../../sources/prometheus/scrape.ts";
import type { WideTable } from "./wide-table.ts";

export type ServiceOf = (labels: Record<string, string>) => string | undefined;

const COUNTERS = new Set([
  "http_requests_total",
  "http_request_duration_seconds_sum",
  "http_request_duration_seconds_count",
  "container_cpu_usage_seconds_total",
]);

const seriesKey = (s: Sample) =>
  `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(",")}}`;

export interface WideTableLimits {
  /** Rows older than this before the newest are dropped (a live runtime keeps a window). */
  keepMs?: number;
  /** Scrapes closer than this to the previous row are skipped (rates span the longer interval). */
  minStepMs?: number;
}

export class WideTableBuilder {
  private readonly serviceOf: ServiceOf;
  private readonly limits: WideTableLimits;
  private last = new Map<string, number>();
  private lastT: number | undefined;
  private rows: { t: number; values: Map<string, Map<string, number>> }[] = [];

  constructor(serviceOf: ServiceOf, limits: WideTableLimits = {}) {
    this.serviceOf = serviceOf;
    this.limits = limits;
  }

  add(samples: Sample[], t: number): void {
    if (this.lastT !== undefined && t - this.lastT < (this.limits.minStepMs ?? 0)) return;
    const dt = this.lastT === undefined ? 0 : (t - this.lastT) / 1000;
    // Only the series of this scrape are remembered: deleted pods' counters do not pile up.
    const previous = this.last;
    this.last = new Map();
    const acc = new Map<string, Record<string, number>>();
    for (const s of samples) {
      const svc = this.serviceOf(s.labels);
      if (!svc) continue;
      const a = acc.get(svc) ?? { req: 0, bad: 0, sum: 0, count: 0, cpu: 0, mem: 0 };
      acc.set(svc, a);
      let v = s.v;
      if (COUNTERS.has(s.name)) {
        const key = seriesKey(s);
        const prev = previous.get(key);
        this.last.set(key, s.v);
        v =
          prev === undefined || s.v < prev ? (prev === undefined && dt > 0 ? s.v : 0) : s.v - prev;
      }
      if (s.name === "http_requests_total") {
        a.req = (a.req ?? 0) + v;
        if (!/^[23]/.test(s.labels.code ?? "")) a.bad = (a.bad ?? 0) + v;
      } else if (s.name === "http_request_duration_seconds_sum") a.sum = (a.sum ?? 0) + v;
      else if (s.name === "http_request_duration_seconds_count") a.count = (a.count ?? 0) + v;
      else if (s.name === "container_cpu_usage_seconds_total") a.cpu = (a.cpu ?? 0) + v;
      else if (s.name === "container_memory_working_set_bytes") a.mem = (a.mem ?? 0) + v;
    }
    const prevT = this.lastT;
    this.lastT = t;
    if (prevT === undefined || dt <= 0) return;
    const values = new Map<string, Map<string, number>>();
    for (const [svc, a] of acc) {
      const m = new Map<string, number>();
      const req = a.req ?? 0;
      m.set("rps", req / dt);
      m.set("errors", req > 0 ? (a.bad ?? 0) / req : 0);
      m.set("latency", (a.count ?? 0) > 0 ? ((a.sum ?? 0) / (a.count ?? 1)) * 1000 : Number.NaN);
      m.set("cpu", ((a.cpu ?? 0) / dt) * 1000);
      m.set("mem", (a.mem ?? 0) / 2 ** 20);
      values.set(svc, m);
    }
    this.rows.push({ t, values });
    const keep = this.limits.keepMs;
    if (keep !== undefined && (this.rows[0]?.t ?? t) < t - keep)
      this.rows = this.rows.filter((r) => r.t >= t - keep);
  }

  table(): WideTable {
    const services = new Set(this.rows.flatMap((r) => [...r.values.keys()]));
    const series = new Map<string, Map<string, number[]>>();
    for (const svc of [...services].sort()) {
      const byMetric = new Map<string, number[]>();
      for (const metric of ["latency", "errors", "rps", "cpu", "mem"])
        byMetric.set(
          metric,
          this.rows.map((r) => r.values.get(svc)?.get(metric) ?? Number.NaN),
        );
      series.set(svc, byMetric);
    }
    return { times: this.rows.map((r) => r.t), series };
  }
}
