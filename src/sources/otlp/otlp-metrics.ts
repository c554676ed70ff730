/**
 * OTLP metrics → opsloop samples, following the OpenTelemetry → Prometheus compatibility spec
 * (opentelemetry-specification compatibility/prometheus_and_openmetrics.md) where it matters for
 * detection: names sanitised to [a-zA-Z0-9_:], monotonic cumulative sums get `_total`,
 * histograms become cumulative `_bucket{le}` + `_sum` + `_count`, summaries `{quantile}` +
 * `_sum` + `_count`; points flagged NO_RECORDED_VALUE are skipped. Resource attributes
 * `service.name` (with `service.namespace`) → `job`, `service.instance.id` → `instance`, and the
 * k8s.{namespace,pod,container}.name attributes → `namespace`/`pod`/`container`, so OTLP series
 * join the cAdvisor ones. Unit suffixes are not appended. Delta sums are kept under the bare
 * name as per-interval increments.
 */
import { OpsloopError } from "../../core/errors.ts";
import type { Sample } from "../prometheus/scrape.ts";
import {
  type AnyValue,
  ExportMetricsServiceRequest,
  type ExportRequest,
  type KeyValue,
  type Num,
  type OtlpMetric,
} from "./otlp-proto.ts";

const CUMULATIVE = 2;
const NO_RECORDED_VALUE = 1;

export function sanitizeName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function sanitizeLabel(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(s) ? `key_${s}` : s;
}

function anyToString(v: AnyValue | undefined): string {
  if (!v) return "";
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(anyToString));
  if (v.kvlistValue) return JSON.stringify(attrs(v.kvlistValue.values));
  return "";
}

function attrs(kvs: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs ?? []) if (kv.key) out[kv.key] = anyToString(kv.value);
  return out;
}

const RESOURCE_LABELS: Record<string, string> = {
  "service.instance.id": "instance",
  "k8s.namespace.name": "namespace",
  "k8s.pod.name": "pod",
  "k8s.container.name": "container",
};

export function resourceLabels(kvs: KeyValue[] | undefined): Record<string, string> {
  const a = attrs(kvs);
  const out: Record<string, string> = {};
  const svc = a["service.name"];
  if (svc) out.job = a["service.namespace"] ? `${a["service.namespace"]}/${svc}` : svc;
  for (const [attr, label] of Object.entries(RESOURCE_LABELS)) {
    const v = a[attr];
    if (v) out[label] = v;
  }
  return out;
}

function pointLabels(base: Record<string, string>, kvs: KeyValue[] | undefined) {
  const out = { ...base };
  for (const [k, v] of Object.entries(attrs(kvs))) out[sanitizeLabel(k)] = v;
  return out;
}

const ms = (ns: Num | undefined): number => Math.round(Number(ns ?? 0) / 1e6);

function metricSamples(m: OtlpMetric, base: Record<string, string>, out: Sample[]): void {
  const name = sanitizeName(m.name ?? "");
  if (!name) return;
  const numbers = m.gauge?.dataPoints ?? m.sum?.dataPoints;
  if (numbers) {
    const counter = m.sum?.isMonotonic === true && m.sum.aggregationTemporality === CUMULATIVE;
    const n = counter && !name.endsWith("_total") ? `${name}_total` : name;
    for (const p of numbers) {
      if ((p.flags ?? 0) & NO_RECORDED_VALUE) continue;
      const v = p.asDouble ?? Number(p.asInt ?? 0);
      out.push({ name: n, labels: pointLabels(base, p.attributes), t: ms(p.timeUnixNano), v });
    }
  }
  for (const p of m.histogram?.dataPoints ?? []) {
    if ((p.flags ?? 0) & NO_RECORDED_VALUE) continue;
    const labels = pointLabels(base, p.attributes);
    const t = ms(p.timeUnixNano);
    const bounds = p.explicitBounds ?? [];
    let cumulative = 0;
    (p.bucketCounts ?? []).forEach((c, i) => {
      cumulative += Number(c);
      const le = i < bounds.length ? String(bounds[i]) : "+Inf";
      out.push({ name: `${name}_bucket`, labels: { ...labels, le }, t, v: cumulative });
    });
    if (p.sum !== undefined) out.push({ name: `${name}_sum`, labels, t, v: p.sum });
    out.push({ name: `${name}_count`, labels, t, v: Number(p.count ?? 0) });
  }
  for (const p of m.summary?.dataPoints ?? []) {
    if ((p.flags ?? 0) & NO_RECORDED_VALUE) continue;
    const labels = pointLabels(base, p.attributes);
    const t = ms(p.timeUnixNano);
    for (const q of p.quantileValues ?? []) {
      const quantile = String(q.quantile ?? 0);
      out.push({ name, labels: { ...labels, quantile }, t, v: q.value ?? 0 });
    }
    out.push({ name: `${name}_sum`, labels, t, v: p.sum ?? 0 });
    out.push({ name: `${name}_count`, labels, t, v: Number(p.count ?? 0) });
  }
}

export function otlpToSamples(req: ExportRequest): Sample[] {
  const out: Sample[] = [];
  for (const rm of req.resourceMetrics ?? []) {
    const base = resourceLabels(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) metricSamples(m, base, out);
    }
  }
  return out;
}

/** Decodes an OTLP/HTTP metrics body: `application/json` or `application/x-protobuf`. */
export function decodeOtlpMetrics(body: Uint8Array, contentType: string): Sample[] {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  let req: ExportRequest;
  if (type === "application/json") {
    try {
      req = JSON.parse(new TextDecoder().decode(body)) as ExportRequest;
    } catch (e) {
      throw new OpsloopError("invalid_input", `OTLP body is not JSON: ${(e as Error).message}`);
    }
  } else if (type === "application/x-protobuf") {
    try {
      const m = ExportMetricsServiceRequest.decode(body);
      req = ExportMetricsServiceRequest.toObject(m, { longs: Number, bytes: String });
    } catch (e) {
      throw new OpsloopError("invalid_input", `OTLP body is not protobuf: ${(e as Error).message}`);
    }
  } else {
    throw new OpsloopError("invalid_input", `unsupported OTLP content type ${contentType}`, {
      data: { status: 415 },
    });
  }
  return otlpToSamples(req);
}
