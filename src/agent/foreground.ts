/**
 * Requests before background work. The loop's background work (a scrape parsed and fed to the
 * consumers: seconds of CPU while a large cluster's series are new to the live detectors) runs
 * in short turns on the same event loop as the tools. A tool call makes several hops through the
 * loop (API requests, log reads, one per analyzer) and each hop waited behind a background turn,
 * and an assistant's calls come back to back. So a background turn first waits until no request
 * has been in flight for `quietMs`, with two bounds: it waits at most `maxDeferMs` (work keeps
 * going under a stream of requests), and a request older than `graceMs` no longer counts (a
 * call waiting for the user's confirmation, or a slow log read, does not hold the loop).
 */
import { setImmediate } from "node:timers/promises";

export interface ForegroundOptions {
  /** Quiet time after the last request before background work resumes (default 10 ms). */
  quietMs?: number;
  /** Longest one background turn waits for requests (default 100 ms). */
  maxDeferMs?: number;
  /** A request in flight longer than this stops holding background work (default 250 ms). */
  graceMs?: number;
}

export class Foreground {
  private readonly quietMs: number;
  private readonly maxDeferMs: number;
  private readonly graceMs: number;
  private readonly started = new Set<{ at: number }>();
  private readonly waiters = new Set<() => void>();
  private lastEnd = Number.NEGATIVE_INFINITY;

  constructor(opts: ForegroundOptions = {}) {
    this.quietMs = opts.quietMs ?? 10;
    this.maxDeferMs = opts.maxDeferMs ?? 100;
    this.graceMs = opts.graceMs ?? 250;
  }

  /** Runs one request; background turns wait for it. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const entry = { at: performance.now() };
    this.started.add(entry);
    try {
      return await fn();
    } finally {
      this.started.delete(entry);
      this.lastEnd = performance.now();
      // On a later macrotask: the caller's own continuations (the reply) go first.
      if (!this.started.size && this.waiters.size) setImmediate().then(() => this.wake());
    }
  }

  /** Requests in flight now, young or not. */
  get inFlight(): number {
    return this.started.size;
  }

  /**
   * A background turn: yields one macrotask, then waits for requests as described above, not
   * at all when `urgent` (the work has fallen too far behind).
   */
  async turn(urgent = false): Promise<void> {
    await setImmediate();
    if (urgent) return;
    const deadline = performance.now() + this.maxDeferMs;
    for (;;) {
      const now = performance.now();
      const wait = Math.min(deadline - now, this.busyFor(now));
      if (wait <= 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, wait);
        this.waiters.add(done);
      });
    }
  }

  /** How long requests hold background work from `now` (≤ 0: they do not). */
  private busyFor(now: number): number {
    let youngest = Number.NEGATIVE_INFINITY;
    for (const s of this.started) if (s.at > youngest) youngest = s.at;
    if (youngest + this.graceMs > now) return youngest + this.graceMs - now;
    return this.lastEnd + this.quietMs - now;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
