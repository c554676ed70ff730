/**
 * opsloop's own metrics in the Prometheus text exposition format (version 0.0.4): counters and
 * histograms the runtime and HTTP API update, plus gauges read at scrape time. Label values are
 * escaped as the format requires (backslash, double quote, newline).
 */

type Labels = Record<string, string>;

const escapeValue = (v: string) =>
  v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeValue(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
}

/** Latency buckets in seconds, from a cached read (1 ms) to a verified rollout (30 s). */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Histo {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class RuntimeMetrics {
  private readonly families = new Map<string, Family>();
  private readonly counters = new Map<string, Map<string, { labels: Labels; v: number }>>();
  private readonly histos = new Map<string, Map<string, Histo>>();
  private readonly gauges = new Map<string, () => { labels: Labels; v: number }[]>();

  constructor() {
    this.describe("opsloop_ticks_total", "counter", "Agent evaluation cycles run.");
    this.describe("opsloop_tick_errors_total", "counter", "Evaluation cycles that failed.");
    this.describe("opsloop_tick_duration_seconds", "histogram", "Time one evaluation cycle took.");
    this.describe("opsloop_actions_total", "counter", "Remediation actions by result.");
    this.describe("opsloop_tool_calls_total", "counter", "Tool calls by tool and outcome.");
    this.describe("opsloop_tool_call_duration_seconds", "histogram", "Tool call latency.");
  }

  describe(name: string, type: Family["type"], help: string): void {
    this.families.set(name, { name, type, help });
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const series = this.counters.get(name) ?? new Map();
    this.counters.set(name, series);
    const k = keyOf(labels);
    const cur = series.get(k) ?? { labels, v: 0 };
    cur.v += by;
    series.set(k, cur);
  }

  observe(name: string, labels: Labels, seconds: number): void {
    const series = this.histos.get(name) ?? new Map<string, Histo>();
    this.histos.set(name, series);
    const k = keyOf(labels);
    const h = series.get(k) ?? {
      labels,
      counts: LATENCY_BUCKETS.map(() => 0),
      sum: 0,
      count: 0,
    };
    LATENCY_BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i] = (h.counts[i] ?? 0) + 1;
    });
    h.sum += seconds;
    h.count++;
    series.set(k, h);
  }

  /** A gauge whose values are computed when scraped (incidents by status, findings now). */
  gauge(name: string, help: string, read: () => { labels: Labels; v: number }[]): void {
    this.describe(name, "gauge", help);
    this.gauges.set(name, read);
  }

  counterValue(name: string, labels: Labels = {}): number {
    return this.counters.get(name)?.get(keyOf(labels))?.v ?? 0;
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      if (f.type === "counter")
        for (const s of this.counters.get(f.name)?.values() ?? [])
          out.push(`${f.name}${labelText(s.labels)} ${s.v}`);
      if (f.type === "gauge")
        for (const s of this.gauges.get(f.name)?.() ?? [])
          out.push(`${f.name}${labelText(s.labels)} ${s.v}`);
      if (f.type === "histogram")
        for (const h of this.histos.get(f.name)?.values() ?? []) out.push(...histoLines(f.name, h));
    }
    return `${out.join("\n")}\n`;
  }
}

function histoLines(name: string, h: Histo): string[] {
  const lines = LATENCY_BUCKETS.map(
    (b, i) => `${name}_bucket${labelText({ ...h.labels, le: String(b) })} ${h.counts[i] ?? 0}`,
  );
  lines.push(`${name}_bucket${labelText({ ...h.labels, le: "+Inf" })} ${h.count}`);
  lines.push(`${name}_sum${labelText(h.labels)} ${h.sum}`);
  lines.push(`${name}_count${labelText(h.labels)} ${h.count}`);
  return lines;
}
