import {
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  selectResourceURL,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpHttpServer, startMcpHttp } from "./http.ts";
import { startTestIssuer, type TestIssuer } from "./oauth-test-issuer.ts";
import { type McpFixture, startMcpFixture } from "./test-fixture.ts";

let f: McpFixture;
let idp: TestIssuer;
let http: McpHttpServer;
const READ = { scope: "opsloop:read" };
const READ_WRITE = { scope: "opsloop:read opsloop:write" };

beforeAll(async () => {
  f = await startMcpFixture();
  idp = await startTestIssuer(() => http.url);
  http = await startMcpHttp(f.ctx, { oauth: { issuer: idp.issuer }, port: 0, allowWrite: true });
}, 60_000);
afterAll(async () => {
  await http?.close();
  await idp?.close();
  await f?.close();
});

const metadataUrl = () => new URL("/.well-known/oauth-protected-resource/mcp", http.url).href;

const initialize = (id = 1) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
});

async function post(token: string | undefined, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(http.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "oauth-test", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

describe("MCP over HTTP as an OAuth 2.1 resource server", () => {
  it("discovers the JWKS through the issuer's OpenID metadata, Keycloak-style", () => {
    expect(idp.hits).toContain("/realms/opsloop/.well-known/openid-configuration");
    expect(idp.hits).toContain("/realms/opsloop/protocol/openid-connect/certs");
  });

  it("publishes RFC 9728 protected-resource metadata at the path-inserted and root URLs", async () => {
    const expected = {
      resource: http.url,
      authorization_servers: [idp.issuer],
      scopes_supported: ["opsloop:read", "opsloop:write"],
      bearer_methods_supported: ["header"],
      resource_name: "opsloop",
    };
    for (const url of [metadataUrl(), new URL("/.well-known/oauth-protected-resource", http.url)]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(await res.json()).toEqual(expected);
    }
  });

  it("is understood by the SDK client's own OAuth discovery and challenge parsing", async () => {
    const meta = await discoverOAuthProtectedResourceMetadata(http.url);
    expect(meta.authorization_servers).toEqual([idp.issuer]);
    // The client refuses metadata whose resource does not match the URL it connects to.
    expect((await selectResourceURL(http.url, {} as never, meta))?.href).toBe(http.url);
    const anonymous = await fetch(http.url, { method: "POST", body: "{}" });
    expect(extractWWWAuthenticateParams(anonymous)).toEqual({
      resourceMetadataUrl: new URL(metadataUrl()),
      scope: "opsloop:read",
      error: undefined,
    });
    const call = {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "approve_action" },
    };
    const stepUp = await fetch(http.url, {
      method: "POST",
      headers: { authorization: `Bearer ${await idp.mint(READ)}` },
      body: JSON.stringify(call),
    });
    expect(stepUp.status).toBe(403);
    expect(extractWWWAuthenticateParams(stepUp)).toMatchObject({
      scope: "opsloop:read opsloop:write",
      error: "insufficient_scope",
    });
  });

  it("lets the SDK client list and call tools with a good token", async () => {
    const client = await connect(await idp.mint(READ));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(["get_cluster_overview", "execute_remediation"]),
    );
    const r = await client.callTool({ name: "get_pod_logs", arguments: { pod: "api" } });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { lines: string[] }).lines).toContain("listening on :8080");
    await client.close();
  });

  it("answers 401 pointing at the metadata, without an error code, when no token is sent", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Basic YWxpY2U6cHc=" }];
    for (const headers of attempts) {
      const res = await post(undefined, initialize(), headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(
        `Bearer scope="opsloop:read", resource_metadata="${metadataUrl()}"`,
      );
    }
  });

  it("answers 401 invalid_token to expired, foreign, forged and malformed tokens", async () => {
    const past = Math.floor(Date.now() / 1000) - 600;
    const cases: [string, Promise<string> | string][] = [
      ["token expired", idp.mint({ ...READ, iat: past - 300, exp: past })],
      ["token audience is not this server", idp.mint({ ...READ, aud: "http://127.0.0.1:1/mcp" })],
      ["token audience is not this server", idp.mint({ ...READ, aud: "opsloop-cli" })],
      ["token issuer is not trusted", idp.mint({ ...READ, iss: "https://evil.example/realms/x" })],
      ["token signature is invalid", idp.mint(READ, { rogue: true })],
      ["no key of the issuer matches the token", idp.mint(READ, { rogue: true, kid: "k9" })],
      ["token algorithm is not allowed", idp.mint(READ, { hs256: true })],
      ["token is malformed", "not-a-jwt"],
    ];
    for (const [why, pending] of cases) {
      const token = await pending;
      const res = await post(token, initialize());
      expect(res.status, why).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(
        `Bearer error="invalid_token", error_description="${why}", scope="opsloop:read", resource_metadata="${metadataUrl()}"`,
      );
      expect(res.text).not.toContain(token);
    }
  });

  it("answers 403 insufficient_scope to a valid token without the read scope", async () => {
    for (const claims of [{}, { scope: "openid profile" }]) {
      const res = await post(await idp.mint(claims), initialize());
      expect(res.status).toBe(403);
      expect(res.headers.get("www-authenticate")).toBe(
        `Bearer error="insufficient_scope", scope="opsloop:read", resource_metadata="${metadataUrl()}"`,
      );
    }
    // Entra ID and Okta put scopes in `scp`.
    expect((await post(await idp.mint({ scp: ["opsloop:read"] }), initialize())).status).toBe(200);
  });

  it("refuses a write tool call without the write scope (step-up 403) and passes it with", async () => {
    const reader = await connect(await idp.mint(READ));
    const call = { name: "execute_remediation", arguments: { incidentId: "i", confirm: true } };
    await expect(reader.callTool(call)).rejects.toMatchObject({ code: 403 });
    const raw = await post(await idp.mint(READ), {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: call,
    });
    expect(raw.status).toBe(403);
    expect(raw.headers.get("www-authenticate")).toContain(
      'error="insufficient_scope", scope="opsloop:read opsloop:write"',
    );
    // Read tools are still fine on the same session.
    expect(
      (await reader.callTool({ name: "get_cluster_overview", arguments: {} })).isError,
    ).toBeFalsy();
    await reader.close();
    const writer = await connect(await idp.mint(READ_WRITE));
    const r = await writer.callTool(call);
    // Past the scope check the usual confirmation applies (no elicitation here: a token).
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toContain("confirmationToken");
    await writer.close();
  });

  it("binds a session to the subject that opened it", async () => {
    const opened = await post(await idp.mint(READ), initialize());
    const sid = opened.headers.get("mcp-session-id") ?? "";
    expect(sid).not.toBe("");
    const list = { jsonrpc: "2.0", id: 3, method: "tools/list", params: {} };
    const headers = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
    const bob = await post(await idp.mint({ ...READ, sub: "bob" }), list, headers);
    expect(bob.status).toBe(404);
    const alice = await post(await idp.mint(READ), list, headers);
    expect(alice.status).toBe(200);
  });
});

describe("OAuth resource-server variants", () => {
  it("accepts a client-id audience (Dex-style) and keeps its own URL as the resource", async () => {
    const dex = await startMcpHttp(f.ctx, {
      oauth: { issuer: idp.issuer, audience: "opsloop" },
      port: 0,
    });
    try {
      const doc = await (
        await fetch(new URL("/.well-known/oauth-protected-resource", dex.url))
      ).json();
      expect(doc).toMatchObject({ resource: dex.url, scopes_supported: ["opsloop:read"] });
      const call = (aud: string) =>
        idp.mint({ ...READ, aud }).then((t) =>
          fetch(dex.url, {
            method: "POST",
            headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
            body: "{}",
          }),
        );
      expect((await call("opsloop")).status).toBe(400); // past auth: not an initialize request
      expect((await call(dex.url)).status).toBe(401);
    } finally {
      await dex.close();
    }
  });

  it("answers 503, not 401, when the issuer's keys cannot be fetched", async () => {
    const down = await startTestIssuer(() => "");
    const w = await startMcpHttp(f.ctx, { oauth: { issuer: down.issuer }, port: 0 });
    try {
      const token = await down.mint({ ...READ, aud: w.url });
      await down.close();
      const res = await fetch(w.url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(initialize()),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get("www-authenticate")).toBeNull();
    } finally {
      await w.close();
    }
  });
});

describe("OAuth resource-server start-up", () => {
  it("fails in one line when the issuer is unreachable or says it is someone else", async () => {
    const closed = await startTestIssuer(() => "");
    const gone = closed.issuer;
    await closed.close();
    await expect(startMcpHttp(f.ctx, { oauth: { issuer: gone }, port: 0 })).rejects.toThrow(
      /^OAuth issuer http:\/\/127\.0\.0\.1:\d+\/realms\/opsloop is unreachable \(ECONNREFUSED\)$/,
    );
    await expect(
      startMcpHttp(f.ctx, { oauth: { issuer: `${idp.issuer}/` }, port: 0 }),
    ).rejects.toThrow(/^OAuth issuer mismatch/);
    await expect(
      startMcpHttp(f.ctx, {
        oauth: { issuer: idp.issuer, jwksUrl: `${idp.issuer}/nope` },
        port: 0,
      }),
    ).rejects.toThrow(/is not a key set \(HTTP 404\)$/);
  });

  it("refuses plain-http issuers off loopback and a token together with OAuth", async () => {
    await expect(
      startMcpHttp(f.ctx, { oauth: { issuer: "http://idp.example/realms/x" }, port: 0 }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(
      startMcpHttp(f.ctx, { token: "t", oauth: { issuer: idp.issuer }, port: 0 }),
    ).rejects.toMatchObject({ code: "invalid_input" });
  });
});
