/** The dashboard in a real browser (Debian's chromium via playwright-core) over a live demo. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Runtime } from "../../agent/runtime.ts";
import { POD_BEHAVIOUR_ANNOTATION } from "../../sim/behaviour.ts";
import { runDemo } from "../cli/demo-runner.ts";
import type { ServedRuntime } from "../cli/serve-runtime.ts";
import { launchBrowser, screenshot } from "./browser.ts";

let browser: Browser;
let stopDemo: AbortController;
let demo: Promise<unknown>;
let served: ServedRuntime;
let rt: Runtime;
let simUrl: string;

/** Quadruples the working set of the first pod matching `selector`, from now on. */
async function jumpMemory(api: string, ns: string, selector: string): Promise<void> {
  const list = (await (
    await fetch(`${api}/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)
  ).json()) as { items: { metadata: { name: string; annotations: Record<string, string> } }[] };
  const pod = list.items[0];
  if (!pod) throw new Error(`no pod ${selector} in ${ns}`);
  const behaviour = parse(pod.metadata.annotations[POD_BEHAVIOUR_ANNOTATION] ?? "{}") as {
    memory?: { baseMi?: number };
  };
  behaviour.memory = { ...behaviour.memory, baseMi: 4 * (behaviour.memory?.baseMi ?? 64) };
  const res = await fetch(`${api}/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, {
    method: "PATCH",
    headers: { "content-type": "application/merge-patch+json" },
    body: JSON.stringify({
      metadata: { annotations: { [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(behaviour) } },
    }),
  });
  if (!res.ok) throw new Error(`patch ${pod.metadata.name}: ${res.status} ${await res.text()}`);
}

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
        simUrl = x.simUrl;
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

    // Problems now: the missing ConfigMap, as list_problems diagnoses it.
    const problem = page
      .locator('[data-testid=problems] li.card[data-reason="CreateContainerConfigError"]')
      .first();
    await problem.waitFor({ timeout: 60_000 });
    expect(await problem.textContent()).toContain('ConfigMap "api-config" does not exist');

    // ROI figures in the header, once the first incidents were diagnosed.
    const roi = async () =>
      Object.fromEntries(
        await page.$$eval("[data-testid=roi] dt", (dts) =>
          dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
        ),
      ) as Record<string, string>;
    await expect
      .poll(async () => Number((await roi()).incidents), { timeout: 60_000 })
      .toBeGreaterThan(0);
    const figures = await roi();
    expect(Object.keys(figures)).toEqual([
      "incidents",
      "resolved",
      "MTTD",
      "MTTR",
      "noise reduction",
    ]);
    expect(figures.MTTD).toMatch(/^\d+(s|m|\.\dh)$/);
    expect(figures["noise reduction"]).toMatch(/^-?\d+%$/);

    // Charts: the container heading for its limit comes first, with its band and forecast.
    const first = page.locator("[data-testid=charts] .chart").first();
    await expect
      .poll(async () => Number(await first.getAttribute("data-forecast")), { timeout: 60_000 })
      .toBeGreaterThan(0);
    expect(Number(await first.getAttribute("data-band"))).toBeGreaterThan(1);
    expect(Number(await first.getAttribute("data-points"))).toBeGreaterThan(1);
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

  it("draws anomaly markers on the chart of a series the detector flags", async () => {
    // The demo's memory series are flat or grow smoothly, which the detector learns. Once a web
    // pod's series is past the detector's warm-up (about 280 points), its working set jumps
    // (the behaviour annotation patched through the simulator's API, as scenarios do).
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(served.dashboardUrl);
    const summaries = async () =>
      (
        (await page.evaluate(() => fetch("/api/v1/series").then((r) => r.json()))) as {
          series: { id: string; points: number; anomalies: number }[];
        }
      ).series;
    await expect
      .poll(
        async () =>
          Math.min(
            ...(await summaries()).filter((x) => x.id.startsWith("shop/web-")).map((x) => x.points),
          ),
        {
          timeout: 240_000,
          interval: 2000,
        },
      )
      .toBeGreaterThan(290);
    await jumpMemory(simUrl, "shop", "app=web");
    let flagged: string | undefined;
    await expect
      .poll(
        async () => {
          flagged = (await summaries()).find((x) => x.anomalies > 0)?.id;
          return flagged;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBeTruthy();
    await page.selectOption("#series-pick", [flagged ?? ""]);
    const chart = page.locator(`[data-testid=charts] .chart[data-series="${flagged}"]`);
    await expect
      .poll(async () => Number(await chart.getAttribute("data-anomalies")), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(Number(await chart.getAttribute("data-band"))).toBeGreaterThan(1);
    await screenshot(page, "dashboard-anomaly");
    await page.close();
  }, 360_000);
});
