/**
 * Time is passed in, never read from the wall directly, so that every time-based behaviour
 * (simulated clusters, detectors, rate limits) is deterministic under test.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class FixedClock implements Clock {
  private t: number;
  constructor(start: number | Date = Date.UTC(2026, 0, 5, 0, 0, 0)) {
    this.t = typeof start === "number" ? start : start.getTime();
  }
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * A virtual clock that runs `speed` times faster than the wall clock while running, and can be
 * stepped by hand (tests, backfill). Stepping and running can be mixed.
 */
export class VirtualClock implements Clock {
  private base: number;
  private wallAtBase: number;
  private running = false;
  private speedFactor: number;
  private readonly wall: Clock;
  constructor(start: number, speed = 1, wall: Clock = systemClock) {
    this.speedFactor = speed;
    this.wall = wall;
    this.base = start;
    this.wallAtBase = wall.now();
  }
  now(): number {
    if (!this.running) return this.base;
    return this.base + (this.wall.now() - this.wallAtBase) * this.speedFactor;
  }
  get speed(): number {
    return this.speedFactor;
  }
  start(): void {
    if (this.running) return;
    this.wallAtBase = this.wall.now();
    this.running = true;
  }
  pause(): void {
    this.base = this.now();
    this.running = false;
  }
  setSpeed(speed: number): void {
    this.base = this.now();
    this.wallAtBase = this.wall.now();
    this.speedFactor = speed;
  }
  advance(ms: number): void {
    this.base += ms;
  }
}

export function isoTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Kubernetes MicroTime (RFC 3339 with microseconds). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses "90s", "5m", "1h30m", "2d", or a bare number of milliseconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === "number") return text;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  let total = 0;
  let consumed = 0;
  for (const m of trimmed.matchAll(re)) {
    total += Number(m[1]) * (UNITS[m[2] as string] ?? 0);
    consumed += m[0].length;
  }
  if (consumed !== trimmed.length || consumed === 0) {
    throw new Error(`invalid duration "${text}" (use e.g. 30s, 5m, 1h30m, 2d)`);
  }
  return total;
}

/** Formats like Go's time.Duration.String for whole seconds: 5m0s, 1h2m3s, 10s. */
export function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
