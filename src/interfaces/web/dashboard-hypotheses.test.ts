/**
 * The incident view's root-cause hypotheses in a real browser: two stored incidents (one with
 * ranked hypotheses, one without) on a runtime that is not started, so they stay as written.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hypothesis, Incident } from "../../core/types.ts";
import { screenshot } from "./browser.ts";
import { type StoredDashboard, storedDashboard } from "./stored-dashboard.ts";

const HYPOTHESES: Hypothesis[] = [
  {
    entity: { kind: "Node", name: "node-a-1" },
    cause: "FailedCreatePodSandBox: failed to assign an IP address to container",
    confidence: 0.612,
    score: 1.8,
    evidence: [
      {
        type: "event",
        text: "FailedCreatePodSandBox on pod shop/api-1: failed to assign an IP address to container",
      },
      { type: "event", text: "FailedCreatePodSandBox on pod shop/web-2: subnet has no free IPs" },
    ],
    explains: [{ kind: "Deployment", namespace: "shop", name: "api" }],
  },
  {
    entity: { kind: "Deployment", namespace: "shop", name: "api" },
    cause: "rollout of deployment api to revision 7 (replica set api-7c9)",
    confidence: 0.255,
    score: 0.75,
    evidence: [
      {
        type: "object",
        text: "change 2026-01-01T00:00:00.000Z: rollout of deployment api to revision 7 (replica set api-7c9)",
      },
      // A credential quoted by an event message: the page must never show it.
      { type: "event", text: "BackOff on pod shop/api-1: dial db failed password=hunter2secret" },
    ],
    explains: [],
  },
  {
    entity: { kind: "ConfigMap", namespace: "shop", name: "api-config" },
    cause: "ConfigMap api-config edited",
    confidence: 0.133,
    score: 0.391,
    evidence: [],
    explains: [],
  },
];

function incident(id: string, now: number, hypotheses?: Hypothesis[]): Incident {
  const subject = { kind: "Deployment", namespace: "shop", name: id };
  return {
    id,
    key: `Deployment/shop/${id}/CrashLoopBackOff`,
    title: `CrashLoopBackOff in deployment shop/${id}`,
    status: "diagnosed",
    severity: "critical",
    subject,
    rootCause: `pods of ${id} cannot start`,
    findings: [
      {
        id: `f-${id}`,
        kind: "problem",
        severity: "critical",
        subject,
        affected: [],
        rootCause: `pods of ${id} cannot start`,
        reason: "CrashLoopBackOff",
        evidence: [{ type: "status", text: "back-off 5m0s restarting failed container" }],
        confidence: 0.9,
        source: "test",
        time: now - 60_000,
      },
    ],
    actions: [],
    openedAt: now - 60_000,
    diagnosedAt: now - 30_000,
    updatedAt: now - (hypotheses ? 10_000 : 20_000),
    ...(hypotheses ? { hypotheses } : {}),
  };
}

let dash: StoredDashboard;
let browser: Browser;

beforeAll(async () => {
  dash = await storedDashboard((now) => [
    { ...incident("ranked", now, HYPOTHESES), signals: [] },
    { ...incident("unranked", now), signals: [] },
  ]);
  browser = dash.browser;
}, 60_000);

afterAll(() => dash?.close());

async function open(page: Page, id: string): Promise<void> {
  await page.click(`[data-testid=incident-row][data-id=${id}]`);
  await expect
    .poll(() => page.textContent("[data-testid=incident-detail] h3"))
    .toBe(`CrashLoopBackOff in deployment shop/${id}`);
}

describe("dashboard: root-cause hypotheses", () => {
  it("lists an incident's hypotheses ranked, redacted, and says when there are none", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${dash.url}/`);
    await expect
      .poll(() => page.locator("[data-testid=incident-row]").count(), { timeout: 30_000 })
      .toBe(2);

    await open(page, "ranked");
    const detail = page.locator("[data-testid=incident-detail]");
    await expect.poll(() => detail.textContent()).toContain("Root-cause hypotheses");
    expect(await detail.textContent()).toContain("unconfirmed");
    const items = page.locator("[data-testid=hypothesis]");
    expect(await items.count()).toBe(3);
    const ranks: [string | null, string | null][] = [];
    for (let i = 0; i < 3; i++)
      ranks.push([
        await items.nth(i).getAttribute("data-rank"),
        await items.nth(i).getAttribute("data-entity"),
      ]);
    expect(ranks).toEqual([
      ["1", "Node/node-a-1"],
      ["2", "Deployment/shop/api"],
      ["3", "ConfigMap/shop/api-config"],
    ]);
    const first = items.nth(0);
    expect(await first.locator(".suspect").textContent()).toBe("Node/node-a-1");
    expect(await first.locator(".score").textContent()).toBe("confidence 61% · score 1.8");
    expect(await first.locator(".cause").textContent()).toBe(HYPOTHESES[0]?.cause);
    expect(await first.textContent()).toContain("explains Deployment/shop/api");
    expect(await first.locator("ul.evidence li").allTextContents()).toEqual([
      "event FailedCreatePodSandBox on pod shop/api-1: failed to assign an IP address to container",
      "event FailedCreatePodSandBox on pod shop/web-2: subnet has no free IPs",
    ]);
    const second = items.nth(1);
    expect(await second.locator(".score").textContent()).toBe("confidence 26% · score 0.75");
    expect(await second.locator("ul.evidence li").allTextContents()).toEqual([
      "object change 2026-01-01T00:00:00.000Z: rollout of deployment api to revision 7 (replica set api-7c9)",
      "event BackOff on pod shop/api-1: dial db failed password=[REDACTED]",
    ]);
    const third = items.nth(2);
    expect(await third.locator(".score").textContent()).toBe("confidence 13% · score 0.39");
    expect(await third.locator("ul.evidence").count()).toBe(0);
    expect(await page.content()).not.toContain("hunter2secret");
    expect(await page.locator("[data-testid=hypotheses-empty]").count()).toBe(0);
    await screenshot(page, "dashboard-hypotheses");

    await open(page, "unranked");
    await expect
      .poll(() => page.textContent("[data-testid=hypotheses-empty]"))
      .toBe("No hypotheses ranked for this incident.");
    expect(await page.locator("[data-testid=hypothesis]").count()).toBe(0);
    await screenshot(page, "dashboard-hypotheses-empty");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
