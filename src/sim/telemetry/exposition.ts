/**
 * Prometheus text exposition format 0.0.4 (prometheus/docs exposition_formats.md): one
 * `# HELP` and `# TYPE` per family, then `name{labels} value`. Label values escape `\`, `"` and
 * newline; HELP text escapes `\` and newline.
 */
export type MetricType = "counter" | "gauge" | "histogram";
export type Labels = Record<string, string>;

export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface Family {
  name: string;
  help: string;
  type: MetricType;
  lines: string[];
}

export class Exposition {
  private readonly families = new Map<string, Family>();

  /** Declares a family; samples for it are added with `sample`. Idempotent. */
  family(name: string, type: MetricType, help: string): void {
    if (!this.families.has(name)) this.families.set(name, { name, help, type, lines: [] });
  }

  sample(family: string, labels: Labels, value: number, suffix = ""): void {
    const f = this.families.get(family);
    if (!f) throw new Error(`metric family ${family} was not declared`);
    f.lines.push(`${family}${suffix}${formatLabels(labels)} ${formatValue(value)}`);
  }

  /** A cumulative histogram from bucket upper bounds, cumulative counts, sum and count. */
  histogram(
    family: string,
    labels: Labels,
    bounds: readonly number[],
    cumulative: readonly number[],
    sum: number,
    count: number,
  ): void {
    bounds.forEach((le, i) => {
      this.sample(family, { ...labels, le: formatValue(le) }, cumulative[i] ?? 0, "_bucket");
    });
    this.sample(family, { ...labels, le: "+Inf" }, count, "_bucket");
    this.sample(family, labels, sum, "_sum");
    this.sample(family, labels, count, "_count");
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      if (f.lines.length === 0) continue;
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
      out.push(`# TYPE ${f.name} ${f.type}`);
      out.push(...f.lines);
    }
    return out.length > 0 ? `${out.join("\n")}\n` : "";
  }
}

export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}
