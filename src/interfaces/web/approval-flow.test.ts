/**
 * The human in the loop, end to end in a browser: a demo whose policy holds every restart for
 * approval; the pending approval shows on the dashboard, a click approves it, and the agent
 * applies the restart (seen in the dashboard's audit log and in the store).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../agent/runtime.ts";
import { runDemo } from "../cli/demo-runner.ts";
import type { ServedRuntime } from "../cli/serve-runtime.ts";
import { launchBrowser, screenshot } from "./browser.ts";

const POLICY = `
allowedActions: [rollout-restart]
rules:
  - name: restarts-need-approval
    effect: requireApproval
    match: { actions: [rollout-restart] }
    reason: restarts need a human's approval here
`;

let browser: Browser;
let stopDemo: AbortController;
let demo: Promise<unknown>;
let served: ServedRuntime;
let rt: Runtime;

beforeAll(async () => {
  const policyFile = join(mkdtempSync(join(tmpdir(), "approval-")), "policy.yaml");
  writeFileSync(policyFile, POLICY);
  browser = await launchBrowser();
  stopDemo = new AbortController();
  await new Promise<void>((resolve, reject) => {
    demo = runDemo({
      scenario: "demo",
      forMs: 0,
      speed: 30,
      output: "json",
      db: ":memory:",
      policyFile,
      write: () => {},
      intervalMs: 500,
      verifyTimeoutMs: 60_000,
      signal: stopDemo.signal,
      onReady: (x) => {
        served = x.served as ServedRuntime;
        rt = x.runtime;
        resolve();
      },
    });
    demo.catch(reject);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stopDemo?.abort();
  await demo;
}, 60_000);

describe("approval in the dashboard", () => {
  it("shows the held restart, approves it with a click and sees it applied", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(served.dashboardUrl);
    const card = page.locator("[data-testid=approval]").first();
    await card.waitFor({ timeout: 150_000 });
    const id = await card.getAttribute("data-id");
    const held = rt.approvals.get(id ?? "");
    expect(held?.status).toBe("pending");
    expect(await card.textContent()).toContain("restarts-need-approval");
    // The incident the held restart is for is listed before anyone approves it.
    const t = held?.target;
    const incident = rt.incidents
      .list()
      .find(
        (i) =>
          i.subject.kind === t?.kind &&
          i.subject.namespace === t?.namespace &&
          i.subject.name === t?.name,
      );
    expect(incident, JSON.stringify(held?.target)).toBeDefined();
    await page
      .locator(`[data-testid=incident-row][data-id="${incident?.id}"]`)
      .waitFor({ timeout: 60_000 });
    await screenshot(page, "approval-pending");

    await card.locator("[data-testid=approve]").click();
    await expect
      .poll(() => rt.approvals.get(id ?? "")?.status, { timeout: 30_000 })
      .toBe("approved");
    const applied = page.locator(
      '[data-testid=audit] tr[data-action="rollout-restart"][data-result="applied"]',
    );
    await applied.first().waitFor({ timeout: 150_000 });
    const approval = rt.approvals.get(id ?? "");
    expect(approval?.decidedBy).toBe("dashboard");
    const acted = rt.incidents
      .list()
      .flatMap((i) => i.actions)
      .find((a) => a.action === "rollout-restart" && a.result === "applied");
    expect(acted?.target).toEqual(approval?.target);
    await screenshot(page, "approval-applied");
    await page.close();
  }, 300_000);
});
