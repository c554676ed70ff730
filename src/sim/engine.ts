/**
 * The simulation loop. Every model of cluster physics (scheduler, kubelet, controllers,
 * scenario timeline) is a `Controller` ticked at a fixed simulated step, so a run is
 * deterministic for a given seed whether it is stepped by hand (tests, backfill) or runs in
 * real time at a speed factor (demo).
 */
import type { VirtualClock } from "../core/clock.ts";
import { seededRandom } from "../core/ids.ts";
import { EventRecorder } from "./event-recorder.ts";
import { LogStore } from "./log-store.ts";
import type { ObjectStore } from "./store/object-store.ts";

export interface SimContext {
  store: ObjectStore;
  clock: VirtualClock;
  events: EventRecorder;
  logs: LogStore;
  /** Deterministic randomness: use this, never Math.random. */
  random: () => number;
}

export interface Controller {
  readonly name: string;
  /** Called once per simulated step, in registration order, with the simulated time. */
  tick(now: number): void;
}

export class Simulation {
  readonly ctx: SimContext;
  readonly tickMs: number;
  private readonly controllers: Controller[] = [];
  private lastTick: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly errors: unknown[] = [];

  constructor(opts: { store: ObjectStore; clock: VirtualClock; seed?: number; tickMs?: number }) {
    this.tickMs = opts.tickMs ?? 1000;
    this.ctx = {
      store: opts.store,
      clock: opts.clock,
      events: new EventRecorder(opts.store, opts.clock),
      logs: new LogStore(),
      random: seededRandom(opts.seed ?? 42),
    };
    this.lastTick = opts.clock.now();
  }

  register(controller: Controller): void {
    this.controllers.push(controller);
  }

  /** Errors thrown by controllers; a controller error never stops the simulation. */
  get controllerErrors(): readonly unknown[] {
    return this.errors;
  }

  /** Run all controllers once at the current time, without moving the clock. */
  settle(): void {
    this.runTick(this.ctx.clock.now());
  }

  /** Advance the (paused) clock by `ms`, ticking every controller at each step. */
  step(ms: number): void {
    const clock = this.ctx.clock;
    const end = clock.now() + ms;
    while (clock.now() + this.tickMs <= end) {
      clock.advance(this.tickMs);
      this.runTick(clock.now());
    }
    if (clock.now() < end) clock.advance(end - clock.now());
    this.lastTick = clock.now();
  }

  /** Run in real time: the clock runs at its speed and controllers tick each simulated step. */
  start(realIntervalMs = 50): void {
    if (this.timer) return;
    this.ctx.clock.start();
    this.lastTick = this.ctx.clock.now();
    this.timer = setInterval(() => this.catchUp(), realIntervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.ctx.clock.pause();
  }

  private catchUp(): void {
    const now = this.ctx.clock.now();
    // Bounded so a stalled event loop does not turn into a burst of thousands of ticks.
    let budget = 2000;
    while (this.lastTick + this.tickMs <= now && budget-- > 0) {
      this.lastTick += this.tickMs;
      this.runTick(this.lastTick);
    }
    if (budget <= 0) this.lastTick = now;
  }

  private runTick(now: number): void {
    for (const c of this.controllers) {
      try {
        c.tick(now);
      } catch (e) {
        this.errors.push(e);
        if (this.errors.length > 100) this.errors.shift();
        process.emitWarning(`simulator controller ${c.name} failed: ${(e as Error).stack ?? e}`);
      }
    }
  }
}
