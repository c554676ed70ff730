/** The dashboard in a real browser (Debian's chromium via playwright-core) over a live demo. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../agent/runtime.ts";
import { runDemo } from "../cli/demo-runner.ts";
import type { ServedRuntime } from "../cli/serve-runtime.ts";
import { launchBrowser, screenshot } from "./browser.ts";

let browser: Browser;
let stopDemo: AbortController;
let demo: Promise<unknown>;
let served: ServedRuntime;
let rt: Runtime;

beforeAll(async () => {
  browser = await launchBrowser();
  stopDemo = new AbortController();
  const ready = new Promise<void>((resolve, reject) => {
    demo = runDemo({
      scenario: "demo",
      forMs: 0,
      speed: 60,
      output: "json",
      db: ":memory:",
      write: () => {},
      intervalMs: 500,
      signal: stopDemo.signal,
      onReady: (x) => {
        served = x.served as ServedRuntime;
        rt = x.runtime;
        resolve();
      },
    });
    demo.catch(reject);
  });
  await ready;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stopDemo?.abort();
  await demo;
}, 60_000);

describe("dashboard", () => {
  it("shows incidents live with root cause and timeline, memory charts and the audit log", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(served.dashboardUrl);
    // The token moves from the fragment to session storage and out of the address bar.
    await page.waitForFunction("!location.hash");
    await expect.poll(() => page.textContent("[data-testid=mode]")).toBe("write enabled");
    await expect
      .poll(() => page.textContent("[data-testid=live]"), { timeout: 30_000 })
      .toBe("live");

    const row = page.locator("[data-testid=incident-row]").first();
    await row.waitFor({ timeout: 90_000 });
    await row.click();
    const cause = page.locator("[data-testid=root-cause]");
    await cause.waitFor();
    const id = await row.getAttribute("data-id");
    expect(await cause.textContent()).toBe(rt.incidents.get(id ?? "")?.rootCause);
    expect(await page.locator("[data-testid=timeline] li").count()).toBeGreaterThan(0);

    await page.locator("[data-testid=charts] .chart canvas").first().waitFor({ timeout: 60_000 });
    await page.locator("[data-testid=audit] tr").first().waitFor({ timeout: 90_000 });
    await screenshot(page, "dashboard-demo");
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
