import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../core/types.ts";
import { openDb } from "../store/sqlite.ts";
import { IncidentManager } from "./incidents.ts";
import { Notifier } from "./notify.ts";

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const posts: { path: string; body: Record<string, unknown> }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let data = "";
  req.on("data", (c) => {
    data += c;
  });
  req.on("end", () => {
    posts.push({ path: req.url ?? "", body: JSON.parse(data) as Record<string, unknown> });
    res.end("ok");
  });
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const crash: Finding = {
  id: "crash",
  kind: "problem",
  severity: "critical",
  subject: { kind: "Deployment", namespace: "shop", name: "api" },
  affected: [{ kind: "Pod", namespace: "shop", name: "api-1" }],
  rootCause: "api exits with code 1: DATABASE_URL=postgres://app:hunter2@db/shop is refused",
  reason: "CrashLoopBackOff",
  evidence: [],
  confidence: 0.9,
  source: "test",
  time: T0,
};

describe("notifications", () => {
  it("posts once per incident change to a webhook and a Slack-compatible URL, not once per cycle", async () => {
    const m = new IncidentManager(openDb(), { resolveAfterMs: 60_000 });
    const notifier = new Notifier([
      { kind: "webhook", url: `${base}/hook` },
      { kind: "slack", url: `${base}/slack` },
    ]);
    notifier.attach(m);
    for (let i = 0; i < 30; i++) m.ingest([{ ...crash, time: T0 + i * 10_000 }], T0 + i * 10_000);
    const more = {
      ...crash,
      affected: [...crash.affected, { kind: "Pod", namespace: "shop", name: "api-2" }],
    };
    for (let i = 30; i < 40; i++) m.ingest([more], T0 + i * 10_000);
    m.ingest([], T0 + 500_000);
    m.ingest([], T0 + 600_000);
    notifier.notify([{ type: "resolved", incident: m.list()[0] as never }]);
    await notifier.flush();
    const hooks = posts.filter((p) => p.path === "/hook");
    expect(hooks.map((p) => p.body.type)).toEqual([
      "incident.opened",
      "incident.updated",
      "incident.resolved",
    ]);
    const slack = posts.filter((p) => p.path === "/slack").map((p) => String(p.body.text));
    expect(slack).toHaveLength(3);
    expect(slack[0]).toMatch(
      /^:red_circle: \*New incident\*: CrashLoopBackOff in deployment shop\/api/,
    );
    expect(slack[2]).toMatch(/^:white_check_mark: \*Resolved\*/);
    expect(JSON.stringify(posts)).not.toContain("hunter2");
    expect(notifier.deliveries.every((d) => d.ok)).toBe(true);
  });
});
