import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSim, startSim } from "../interfaces/cli/sim-runtime.ts";
import { loopToolRegistry } from "../tools/tools.ts";
import { type Runtime, startRuntime } from "./runtime.ts";

let sim: RunningSim;
let rt: Runtime;
let hook: Server;
const posts: string[] = [];

const waitFor = async (ok: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      posts.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  sim = await startSim({ scenario: "demo", speed: 30 });
  rt = await startRuntime({
    kubeconfig: sim.kubeconfig,
    clock: sim.cluster.clock,
    intervalMs: 250,
    verifyTimeoutMs: 20_000,
    config: { notifyWebhookUrl: hookUrl },
  });
});

afterAll(async () => {
  await rt?.close();
  await sim?.close();
  hook?.close();
});

describe("startRuntime", () => {
  it("is ready once the informers synced and ticks the agent on its own", async () => {
    expect(rt.ready()).toBe(true);
    await waitFor(() => rt.metrics.counterValue("opsloop_ticks_total") >= 3);
    expect(rt.metrics.render()).toMatch(/^opsloop_ticks_total \d+$/m);
  });

  it("opens incidents from the simulated faults and serves them through the tool context", async () => {
    await waitFor(() => rt.incidents.list().length > 0);
    const out = (await loopToolRegistry().call(rt.ctx, "list_incidents", {})) as {
      incidents: { id: string }[];
    };
    expect(out.incidents.map((i) => i.id)).toEqual(rt.incidents.list().map((i) => i.id));
    expect(rt.metrics.render()).toMatch(/opsloop_incidents\{status="open"\} \d+/);
  });

  it("posts each new incident once to the configured webhook", async () => {
    await waitFor(() => rt.incidents.list().length > 0);
    const first = rt.incidents.list().at(-1);
    const opened = () =>
      posts
        .map((p) => JSON.parse(p) as { type: string; incident: { id: string } })
        .filter((b) => b.type === "incident.opened" && b.incident.id === first?.id);
    await waitFor(() => opened().length > 0);
    await waitFor(() => rt.metrics.counterValue("opsloop_ticks_total") >= 10);
    expect(opened()).toHaveLength(1);
  });

  it("keeps recent container memory series with a baseline band for the charts", async () => {
    await waitFor(() => rt.series.list().some((s) => s.points.length >= 5));
    const s = rt.series.list().find((x) => x.points.length >= 5);
    const p = s?.points.at(-1);
    expect(p && p.lower <= p.upper).toBe(true);
    expect(s?.labels.pod).toBeTruthy();
  });
});
