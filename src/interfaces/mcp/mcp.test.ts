import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import type { ToolContext } from "../../tools/context.ts";
import { allTools } from "../../tools/index.ts";
import { createMcpServer } from "./server.ts";
import {
  callEveryTool,
  callWriteTools,
  type McpFixture,
  PLANTED,
  startMcpFixture,
} from "./test-fixture.ts";

let f: McpFixture;

beforeAll(async () => {
  f = await startMcpFixture();
}, 60_000);
afterAll(async () => {
  await f?.close();
});

type Elicit = "accept" | "decline" | "none";

async function connect(
  opts: { allowWrite?: boolean; elicit?: Elicit; findings?: Finding[]; ctx?: ToolContext } = {},
) {
  const base = opts.ctx ?? f.ctx;
  const ctx = opts.findings ? { ...base, findings: () => opts.findings ?? [] } : base;
  const server = createMcpServer(ctx, { allowWrite: opts.allowWrite });
  const elicit = opts.elicit ?? "none";
  const client = new Client(
    { name: "test", version: "1" },
    { capabilities: elicit === "none" ? {} : { elicitation: { form: {} } } },
  );
  const asked: string[] = [];
  if (elicit !== "none")
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return elicit === "accept"
        ? { action: "accept", content: { confirm: true } }
        : { action: "decline" };
    });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  await client.connect(b);
  return { client, asked };
}

const text = (r: unknown) => JSON.stringify(r);

describe("opsloop MCP server (in-process, SDK client)", () => {
  it("lists every read-only registry tool with schemas and annotations, and no write tool by default", async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    const readOnly = allTools().filter((t) => t.annotations.readOnly);
    expect(tools.map((t) => t.name).sort()).toEqual(readOnly.map((t) => t.name).sort());
    for (const t of tools) {
      expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(t.title).toBeTruthy();
      expect(t.inputSchema.type).toBe("object");
      expect(t.outputSchema?.type).toBe("object");
    }
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "get_cluster_overview",
        "list_resources",
        "get_pod_logs",
        "query_metrics",
      ]),
    );
  });

  it("runs each tool call, up to its rendered reply, through the context's foreground", async () => {
    expect(f.ctx.foreground).toBe(f.runtime.foreground);
    const seen: number[] = [];
    const foreground = {
      run: <T>(fn: () => Promise<T>) => {
        seen.push(f.runtime.foreground.inFlight);
        return f.runtime.foreground.run(async () => {
          const out = await fn();
          seen.push(f.runtime.foreground.inFlight);
          return out;
        });
      },
    };
    const { client } = await connect({ ctx: { ...f.ctx, foreground } });
    const r = await client.callTool({ name: "list_problems", arguments: {} });
    expect(r.isError).not.toBe(true);
    expect(seen).toEqual([0, 1]);
    expect(f.runtime.foreground.inFlight).toBe(0);
  });

  it("adds the write tools with --allow-write, annotated as writes and taking a confirmation token", async () => {
    const { client } = await connect({ allowWrite: true });
    const { tools } = await client.listTools();
    const writes = tools.filter((t) => t.annotations?.readOnlyHint === false);
    expect(writes.map((t) => t.name)).toEqual(expect.arrayContaining(["execute_remediation"]));
    for (const t of writes)
      expect(Object.keys(t.inputSchema.properties ?? {})).toContain("confirmationToken");
  });

  it("calls every read tool against the simulator; the API server sees only GETs and no output holds a planted secret", async () => {
    const { client } = await connect();
    f.harness.cluster.apiServer?.clearRequests();
    const outputs = await callEveryTool(client, f.seeded);
    const requests = f.harness.cluster.apiServer?.requests() ?? [];
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((q) => q.method !== "GET")).toEqual([]);
    for (const secret of PLANTED)
      for (const out of outputs.values()) expect(out).not.toContain(secret);
  });

  it("answers every read tool with real content: metrics, history, incidents, diagnosis, scan", async () => {
    const { client } = await connect();
    const outputs = await callEveryTool(client, f.seeded);
    const sc = (name: string) => JSON.parse(outputs.get(name) ?? "{}").structuredContent;
    expect(sc("query_metrics").series.length).toBeGreaterThan(0);
    expect(sc("rightsize").recommendations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ workload: { kind: "Deployment", name: "web" } }),
      ]),
    );
    expect(sc("plan_scaling")).toMatchObject({ currentReplicas: 2 });
    expect(sc("get_incident").incident.id).toBe(f.seeded.open);
    expect(f.seeded.past).not.toBe(f.seeded.open);
    expect(sc("search_incidents").results[0].incidentId).toBe(f.seeded.past);
    expect(sc("diagnose_object").problems.length).toBeGreaterThan(0);
    expect(sc("scan_manifests").findings.length).toBeGreaterThan(0);
    expect(sc("propose_remediation")).toMatchObject({
      runbook: "bad-rollout-undo",
      target: { kind: "Deployment", namespace: "default", name: "web" },
    });
  });

  it("redacts the bearer token an incident's evidence quotes, in every incident tool", async () => {
    const stored = JSON.stringify(f.runtime.incidents.get(f.seeded.open));
    expect(stored).toContain("PLANTEDbearerTOKEN123");
    const { client } = await connect();
    const calls: [string, Record<string, unknown>][] = [
      ["list_incidents", {}],
      ["get_incident", { id: f.seeded.open }],
      ["search_incidents", { query: "upstream refused" }],
    ];
    for (const [name, arguments_] of calls) {
      const r = text(await client.callTool({ name, arguments: arguments_ }));
      // search_incidents answers with causes, not evidence: only the absence is checked there.
      if (name !== "search_incidents")
        expect(r).toContain("calling upstream with Authorization: [REDACTED]");
      for (const secret of PLANTED) expect(r, name).not.toContain(secret);
    }
  });

  it("calls every write tool under --allow-write, confirmed, with the guardrails in force", async () => {
    const { client, asked } = await connect({ allowWrite: true, elicit: "accept" });
    f.harness.cluster.apiServer?.clearRequests();
    const out = await callWriteTools(client, f.seeded);
    for (const [name, r] of out) expect(r.isError, `${name} ${r.text}`).toBe(false);
    expect(asked).toHaveLength(out.size);
    expect(out.get("acknowledge_incident")?.structuredContent).toMatchObject({
      acknowledgedBy: "alice@test",
    });
    expect(out.get("approve_action")?.structuredContent).toMatchObject({
      approval: { status: "approved", decidedBy: "alice@test" },
    });
    expect(out.get("reject_action")?.structuredContent).toMatchObject({
      approval: { status: "rejected", decisionReason: "not during the demo" },
    });
    // kube-system is denied by policy: the run is audited and nothing reaches the cluster.
    expect(out.get("execute_remediation")?.structuredContent).toMatchObject({
      actions: [{ verdict: "denied" }],
    });
    const writes = (f.harness.cluster.apiServer?.requests() ?? []).filter(
      (q) => q.method !== "GET",
    );
    expect(writes).toEqual([]);
    expect(f.runtime.audit.list().map((a) => a.result)).toContain("denied");
  });

  it("serves only the tools asked for, and refuses an unknown or write tool name in read-only mode", async () => {
    const server = createMcpServer(f.ctx, { tools: ["get_pod_logs", "list_problems"] });
    const client = new Client({ name: "test", version: "1" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    await client.connect(b);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_pod_logs", "list_problems"]);
    expect(() => createMcpServer(f.ctx, { tools: ["get_pod_log"] })).toThrow(
      /unknown or unavailable tool\(s\): get_pod_log/,
    );
    expect(() => createMcpServer(f.ctx, { tools: ["execute_remediation"] })).toThrow(
      /--allow-write/,
    );
  });

  it("keeps annotations consistent: a read-only tool is never destructive", () => {
    for (const t of allTools())
      if (t.annotations.readOnly) expect(t.annotations.destructive, t.name).toBe(false);
  });

  it("never returns planted secrets from Secrets, env vars, or logs (current and previous), whatever the projection", async () => {
    const { client } = await connect();
    const calls: [string, Record<string, unknown>][] = [
      ["get_resource", { kind: "secrets", name: "db-creds" }],
      ["list_resources", { kind: "secret" }],
      ["list_resources", { kind: "secrets", fields: ["data", "metadata.name"] }],
      ["list_resources", { kind: "configmaps", namespace: "default" }],
      ["get_resource", { kind: "cm", name: "app-config", fields: ["data.DB_PASSWORD"] }],
      [
        "list_resources",
        { kind: "pods", fields: ["spec.containers[*].env", "metadata.annotations"] },
      ],
      ["get_resource", { kind: "pod", name: "api", fields: ["spec.containers[0].env[0].value"] }],
      ["get_pod_logs", { pod: "api", grep: "AKIA|SECRET" }],
      ["get_pod_logs", { pod: "worker", previous: true }],
      ["list_events", { objectName: "worker" }],
    ];
    for (const [name, args] of calls) {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError, `${name} ${text(r)}`).toBeFalsy();
      for (const secret of PLANTED) expect(text(r)).not.toContain(secret);
    }
    const logs = await client.callTool({
      name: "get_pod_logs",
      arguments: { pod: "api", grep: "AWS" },
    });
    expect((logs.structuredContent as { lines: string[] }).lines).toEqual([
      "AWS_SECRET_ACCESS_KEY=[REDACTED] loaded",
    ]);
  });

  it("marks cluster data untrusted and fences its text so it cannot close the fence", async () => {
    const { client } = await connect();
    const r = await client.callTool({
      name: "get_pod_logs",
      arguments: { pod: "api", tailLines: 3 },
    });
    expect(r.structuredContent).toMatchObject({ untrusted: true, container: "app", returned: 3 });
    const body = (r.content as { text: string }[])[0]?.text ?? "";
    expect(body.startsWith("<untrusted-cluster-data>\n")).toBe(true);
    expect(body.slice(25, -26)).not.toContain("<");
  });

  it("pages list_resources within the budget with a continue token, and projects fields", async () => {
    const { client } = await connect();
    const first = await client.callTool({
      name: "list_resources",
      arguments: {
        kind: "pods",
        labelSelector: "app in (api,worker)",
        limit: 1,
        fields: ["metadata.name", "spec.containers[*].image"],
      },
    });
    const p1 = first.structuredContent as {
      items: Record<string, unknown>[];
      continue?: string;
      truncated: boolean;
    };
    expect(p1.items).toEqual([
      { "metadata.name": "api", "spec.containers[*].image": ["nginx:1.27"] },
    ]);
    expect(p1.truncated).toBe(true);
    const second = await client.callTool({
      name: "list_resources",
      arguments: {
        kind: "pods",
        labelSelector: "app in (api,worker)",
        limit: 1,
        fields: ["metadata.name"],
        continue: p1.continue,
      },
    });
    const p2 = second.structuredContent as { items: Record<string, unknown>[]; truncated: boolean };
    expect(p2.items).toEqual([{ "metadata.name": "worker" }]);
    expect(p2.truncated).toBe(false);
  });

  it("reports errors as isError with one line and no stack", async () => {
    const { client } = await connect();
    for (const [name, args] of [
      ["get_resource", { kind: "pod", name: "missing" }],
      ["list_resources", { kind: "nosuchkind" }],
      ["get_pod_logs", { pod: "api", grep: "(" }],
      ["query_metrics", { query: "sum(" }],
    ] as const) {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError).toBe(true);
      const msg = (r.content as { text: string }[])[0]?.text ?? "";
      expect(msg).not.toMatch(/\n|\s+at\s+\S+\s+\(/);
    }
  });

  it("denies a write when the user declines the elicitation, and runs it when they accept", async () => {
    const declined = await connect({ allowWrite: true, elicit: "decline" });
    const r = await declined.client.callTool({
      name: "execute_remediation",
      arguments: { incidentId: "inc-x", confirm: true },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain("did not confirm");
    expect(declined.asked).toHaveLength(1);
    const accepted = await connect({ allowWrite: true, elicit: "accept" });
    const r2 = await accepted.client.callTool({
      name: "execute_remediation",
      arguments: { incidentId: "inc-x", confirm: true },
    });
    // Confirmed, so the tool itself ran: no such incident.
    expect(text(r2)).toContain("not_found");
  });

  it("without elicitation, needs the one-time token issued for exactly these arguments", async () => {
    const { client } = await connect({ allowWrite: true });
    const args = { incidentId: "inc-y", confirm: true };
    const first = await client.callTool({ name: "execute_remediation", arguments: args });
    expect(first.isError).toBe(true);
    const token = /"confirmationToken": "([\w-]+)"/.exec(text(first).replace(/\\"/g, '"'))?.[1];
    expect(token).toBeTruthy();
    const other = await client.callTool({
      name: "execute_remediation",
      arguments: { incidentId: "inc-z", confirm: true, confirmationToken: token },
    });
    expect(text(other)).toContain("denied: confirmationToken");
    // The mismatched attempt spent it: a fresh token is needed.
    const again = await client.callTool({ name: "execute_remediation", arguments: args });
    const fresh = /"confirmationToken": "([\w-]+)"/.exec(text(again).replace(/\\"/g, '"'))?.[1];
    const ok = await client.callTool({
      name: "execute_remediation",
      arguments: { ...args, confirmationToken: fresh },
    });
    expect(text(ok)).toContain("not_found: no incident inc-y");
  });

  it("approves an action the agent held only when the user confirms it in the client", async () => {
    // As the executor holds an action: the approval's token goes to no one.
    const held = f.ctx.approvals?.create({
      runId: "run-held-by-agent",
      action: "rollout-restart",
      target: { kind: "Deployment", namespace: "default", name: "web" },
      summary: "rollout-restart on Deployment default/web (held by the agent)",
      reasons: ["needs approval"],
    }).approval;
    const args = { id: held?.id ?? "", actor: "alice" };
    // A token-confirmed call (the model relays the confirmation) is not the user's own yes.
    const { client } = await connect({ allowWrite: true });
    const first = await client.callTool({ name: "approve_action", arguments: args });
    const token = /"confirmationToken": "([\w-]+)"/.exec(text(first).replace(/\\"/g, '"'))?.[1];
    const relayed = await client.callTool({
      name: "approve_action",
      arguments: { ...args, confirmationToken: token },
    });
    expect(relayed.isError).toBe(true);
    expect(text(relayed)).toContain("the token is wrong or already used");
    const declined = await connect({ allowWrite: true, elicit: "decline" });
    expect(
      (await declined.client.callTool({ name: "approve_action", arguments: args })).isError,
    ).toBe(true);
    expect(f.ctx.approvals?.get(held?.id ?? "")?.status).toBe("pending");
    const accepted = await connect({ allowWrite: true, elicit: "accept" });
    const ok = await accepted.client.callTool({ name: "approve_action", arguments: args });
    expect(ok.isError).toBeFalsy();
    expect(accepted.asked).toHaveLength(1);
    expect(f.ctx.approvals?.get(held?.id ?? "")).toMatchObject({
      status: "approved",
      decidedBy: "alice",
    });
  });

  it("offers incident and runbook resources and the investigation prompts", async () => {
    const { client } = await connect();
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain("opsloop://incidents");
    const incidents = await client.readResource({ uri: "opsloop://incidents" });
    const summaries = JSON.parse((incidents.contents[0] as { text: string }).text);
    expect(summaries[0].id).toBe(f.seeded.guarded); // newest first
    expect(resources.some((r) => r.uri.startsWith("opsloop://runbooks/"))).toBe(true);
    const rb = resources.find((r) => r.uri.startsWith("opsloop://runbooks/"));
    const read = await client.readResource({ uri: rb?.uri ?? "" });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toHaveProperty("steps");
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(["investigate_alert", "why_pod_crashing"]);
    const p = await client.getPrompt({ name: "why_pod_crashing", arguments: { pod: "worker" } });
    expect(text(p)).toContain("previous: true");
  });
});
