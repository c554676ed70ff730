/**
 * Scrapes a Prometheus text exposition endpoint on an interval and turns it into samples
 * `{name, labels, t, v}`. Parsing is done by the npm package parse-prometheus-text-format;
 * histograms and summaries, which it folds into one object, are flattened back into the
 * `_bucket{le}` / `{quantile}` / `_sum` / `_count` series Prometheus itself would store.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import type { Clock } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  t: number;
  v: number;
}

function num(s: string | undefined): number {
  if (s === undefined) return Number.NaN;
  if (s === "+Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(s);
}

/** Parses exposition text; samples without their own timestamp get `now`. */
export function parseExposition(text: string, now: number): Sample[] {
  const out: Sample[] = [];
  for (const fam of parsePrometheusTextFormat(text)) {
    for (const m of fam.metrics) {
      const labels = m.labels ?? {};
      const t = m.timestamp_ms ? Number(m.timestamp_ms) : now;
      if (m.value !== undefined) out.push({ name: fam.name, labels, t, v: num(m.value) });
      for (const [le, v] of Object.entries(m.buckets ?? {})) {
        out.push({ name: `${fam.name}_bucket`, labels: { ...labels, le }, t, v: num(v) });
      }
      for (const [quantile, v] of Object.entries(m.quantiles ?? {})) {
        out.push({ name: fam.name, labels: { ...labels, quantile }, t, v: num(v) });
      }
      if (m.sum !== undefined) out.push({ name: `${fam.name}_sum`, labels, t, v: num(m.sum) });
      if (m.count !== undefined)
        out.push({ name: `${fam.name}_count`, labels, t, v: num(m.count) });
    }
  }
  return out;
}

export async function scrapeOnce(url: string, now: number, timeoutMs = 5000): Promise<Sample[]> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: "text/plain;version=0.0.4" },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new OpsloopError("unavailable", `cannot scrape ${url}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!res.ok)
    throw new OpsloopError("unavailable", `scrape of ${url} returned HTTP ${res.status}`);
  return parseExposition(await res.text(), now);
}

export interface ScraperOptions {
  url: string;
  intervalMs: number;
  clock: Clock;
  onSamples: (samples: Sample[]) => void;
  onError?: (e: unknown) => void;
}

/** Scrapes every `intervalMs` (wall time); one scrape at a time, errors reported and retried. */
export class Scraper {
  private readonly opts: ScraperOptions;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  constructor(opts: ScraperOptions) {
    this.opts = opts;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async tick(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      this.opts.onSamples(await scrapeOnce(this.opts.url, this.opts.clock.now()));
    } catch (e) {
      this.opts.onError?.(e);
    } finally {
      this.inFlight = false;
    }
  }
}
