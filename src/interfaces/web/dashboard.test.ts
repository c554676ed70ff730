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

  it("decides approvals with the approve and reject buttons, audited as the dashboard", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const target = { kind: "Deployment", namespace: "shop", name: "api" };
    const ask = (runId: string) =>
      rt.approvals.create({
        runId,
        action: "rollout-restart",
        target,
        summary: `restart deployment shop/api (${runId})`,
        reasons: ["restarts-need-approval: a human decides"],
      }).approval.id;
    const yes = ask("run-yes");
    const no = ask("run-no");
    page.on("dialog", (d) => void d.accept("not during the sale"));
    await page.goto(served.dashboardUrl);
    await page.locator(`[data-testid=approval][data-id="${yes}"] [data-testid=approve]`).click();
    await expect.poll(() => rt.approvals.get(yes)?.status, { timeout: 30_000 }).toBe("approved");
    await page.locator(`[data-testid=approval][data-id="${no}"] [data-testid=reject]`).click();
    await expect.poll(() => rt.approvals.get(no)?.status, { timeout: 30_000 }).toBe("rejected");
    expect(rt.approvals.get(no)?.decisionReason).toBe("not during the sale");
    await page.locator(`[data-testid=approval][data-id="${no}"]`).waitFor({ state: "detached" });
    const decisions = rt.audit.list({ limit: 1000 }).filter((r) => r.actor === "dashboard");
    expect(decisions.map((r) => r.action).sort()).toEqual([
      "approval-approved",
      "approval-rejected",
    ]);
    await page.close();
  }, 120_000);
});
