/**
 * Scrapes a Prometheus text exposition endpoint (format 0.0.4) on an interval and turns it into
 * samples `{name, labels, t, v}`, one per sample line, as Prometheus itself stores them
 * (`_bucket{le}`, `_sum`, `_count`, `{quantile}` stay separate series). Parsed by hand: the npm
 * parser parse-prometheus-text-format folds histograms per family and loses the labels, `_sum`
 * and `_count` of labelled histograms (every pod's histogram collapsed into one).
 */
import type { Clock } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  t: number;
  v: number;
}

// name{labels} value [timestamp]
const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
const UNESCAPE: Record<string, string> = { "\\\\": "\\", '\\"': '"', "\\n": "\n" };

function num(s: string): number {
  if (s === "+Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(s);
}

function parseLine(line: string, now: number, out: Sample[]): void {
  if (line === "" || line.startsWith("#")) return;
  const m = LINE.exec(line);
  if (!m) return;
  const labels: Record<string, string> = {};
  for (const l of (m[2] ?? "").matchAll(LABEL))
    labels[l[1] as string] = (l[2] as string).replace(/\\[\\"n]/g, (e) => UNESCAPE[e] ?? e);
  out.push({
    name: m[1] as string,
    labels,
    t: m[4] ? Number(m[4]) : now,
    v: num(m[3] as string),
  });
}

/** Parses exposition text; samples without their own timestamp get `now`. */
export function parseExposition(text: string, now: number): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) parseLine(line, now, out);
  return out;
}

/**
 * The same parse in turns of at most ~`budgetMs` each, awaiting `turn()` in between: a large
 * cluster's exposition (2 MB, 15,000 samples at 1,000 pods) is 50-100 ms of parsing.
 */
export async function parseExpositionInTurns(
  text: string,
  now: number,
  turn: () => Promise<void>,
  budgetMs = 8,
): Promise<Sample[]> {
  const out: Sample[] = [];
  const lines = text.split("\n");
  let started = performance.now();
  for (let i = 0; i < lines.length; i++) {
    parseLine(lines[i] as string, now, out);
    if ((i & 255) === 255 && performance.now() - started > budgetMs) {
      await turn();
      started = performance.now();
    }
  }
  return out;
}

export async function scrapeOnce(
  url: string,
  now: number,
  timeoutMs = 5000,
  turn?: () => Promise<void>,
): Promise<Sample[]> {
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
  const text = await res.text();
  return turn ? parseExpositionInTurns(text, now, turn) : parseExposition(text, now);
}

export interface ScraperOptions {
  url: string;
  intervalMs: number;
  clock: Clock;
  onSamples: (samples: Sample[]) => void;
  onError?: (e: unknown) => void;
  /** Awaited between turns of parsing a large exposition (parsed in one go when absent). */
  turn?: () => Promise<void>;
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
      const { url, clock, turn } = this.opts;
      this.opts.onSamples(await scrapeOnce(url, clock.now(), 5000, turn));
    } catch (e) {
      this.opts.onError?.(e);
    } finally {
      this.inFlight = false;
    }
  }
}
