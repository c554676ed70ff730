import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Foreground } from "./foreground.ts";

describe("Foreground", () => {
  it("holds a background turn while a request is in flight and for the quiet time after it", async () => {
    const fg = new Foreground({ quietMs: 20, maxDeferMs: 5_000 });
    let release = () => {};
    const request = fg.run(() => new Promise<string>((r) => (release = () => r("reply"))));
    let turned = false;
    const turn = fg.turn().then(() => (turned = true));
    await sleep(50);
    expect(turned).toBe(false);
    const ended = performance.now();
    release();
    expect(await request).toBe("reply");
    await turn;
    expect(performance.now() - ended).toBeGreaterThanOrEqual(15);
    expect(fg.inFlight).toBe(0);
  });

  it("waits at most maxDeferMs, not for a request older than graceMs, and not when urgent", async () => {
    const never = new Promise<void>(() => {});
    const capped = new Foreground({ maxDeferMs: 30, graceMs: 10_000 });
    void capped.run(() => never);
    let t = performance.now();
    await capped.turn();
    expect(performance.now() - t).toBeLessThan(1_000);

    const graced = new Foreground({ maxDeferMs: 10_000, graceMs: 30 });
    void graced.run(() => never);
    t = performance.now();
    await graced.turn();
    expect(performance.now() - t).toBeLessThan(1_000);

    const urgent = new Foreground({ maxDeferMs: 10_000, graceMs: 10_000 });
    void urgent.run(() => never);
    t = performance.now();
    await urgent.turn(true);
    expect(performance.now() - t).toBeLessThan(1_000);
  });

  it("passes a request's error through", async () => {
    const fg = new Foreground();
    await expect(
      fg.run(async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(fg.inFlight).toBe(0);
  });
});
