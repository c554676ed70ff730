import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpHttpServer, startMcpHttp } from "./http.ts";
import { startTestIssuer, type TestIssuer } from "./oauth-test-issuer.ts";
import { type McpFixture, startMcpFixture } from "./test-fixture.ts";

let f: McpFixture;
let idp: TestIssuer;
let http: McpHttpServer;

beforeAll(async () => {
  f = await startMcpFixture();
  idp = await startTestIssuer(() => http.url);
  http = await startMcpHttp(f.ctx, { oauth: { issuer: idp.issuer }, port: 0, allowWrite: true });
  idp.clients.set("ops-bot", { secret: "bot-secret", scopes: ["opsloop:read", "opsloop:write"] });
  idp.clients.set("viewer", { secret: "viewer-secret", scopes: ["opsloop:read"] });
  idp.clients.set("mcp-cli", { secret: "", scopes: ["opsloop:read", "opsloop:write"] });
}, 60_000);
afterAll(async () => {
  await http?.close();
  await idp?.close();
  await f?.close();
});

/** A machine client; the SDK's client_credentials grant asks for its configured scope. */
function oauthClient(clientId: string, clientSecret: string) {
  const provider = new ClientCredentialsProvider({
    clientId,
    clientSecret,
    expectedIssuer: idp.issuer,
    scope: "opsloop:read opsloop:write",
  });
  const client = new Client({ name: "oauth-flow-test", version: "1" });
  const transport = new StreamableHTTPClientTransport(new URL(http.url), {
    authProvider: provider,
  });
  return { client, transport };
}

/** An interactive client (public, PKCE): "opens the browser" by recording the URL. */
class BrowserClient implements OAuthClientProvider {
  redirects: URL[] = [];
  private saved: OAuthTokens | undefined;
  private verifier = "";
  readonly redirectUrl = "http://127.0.0.1:1/callback";
  readonly clientMetadata = {
    client_name: "mcp-cli",
    redirect_uris: [this.redirectUrl],
    token_endpoint_auth_method: "none",
  };
  clientInformation = () => ({ client_id: "mcp-cli" });
  tokens = () => this.saved;
  saveTokens = (t: OAuthTokens) => {
    this.saved = t;
  };
  redirectToAuthorization = (url: URL) => {
    this.redirects.push(url);
  };
  saveCodeVerifier = (v: string) => {
    this.verifier = v;
  };
  codeVerifier = () => this.verifier;
}

const WRITE_CALL = { name: "execute_remediation", arguments: { incidentId: "i", confirm: true } };

describe("the official SDK client's OAuth flow against opsloop", () => {
  it("discovers the issuer from the 401, gets a token for this resource and calls a write tool", async () => {
    const { client, transport } = oauthClient("ops-bot", "bot-secret");
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("execute_remediation");
    const granted = "opsloop:read opsloop:write";
    const grant = { client: "ops-bot", requested: granted, granted, resource: http.url };
    expect(idp.grants).toEqual([grant]);
    const r = await client.callTool(WRITE_CALL);
    expect(idp.grants).toHaveLength(1);
    // Past the scope check the usual confirmation applies.
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toContain("confirmationToken");
    await client.close();
  });

  it("stays refused when the authorization server will not grant the write scope", async () => {
    idp.grants.length = 0;
    const { client, transport } = oauthClient("viewer", "viewer-secret");
    await client.connect(transport);
    const overview = await client.callTool({ name: "get_cluster_overview", arguments: {} });
    expect(overview.isError).toBeFalsy();
    // The 403 insufficient_scope makes the client ask the authorization server again (once).
    await expect(client.callTool(WRITE_CALL)).rejects.toMatchObject({ code: 403 });
    expect(idp.grants.map((g) => g.granted)).toEqual(["opsloop:read", "opsloop:read"]);
    await client.close();
  });
});

describe("an interactive client (authorization code + PKCE) against opsloop", () => {
  it("asks the user for the challenged scope, then steps up for a write tool", async () => {
    const browser = new BrowserClient();
    const first = new StreamableHTTPClientTransport(new URL(http.url), { authProvider: browser });
    await expect(new Client({ name: "cli", version: "1" }).connect(first)).rejects.toThrow(
      /Unauthorized/,
    );
    const ask = browser.redirects[0];
    expect(ask?.searchParams.get("scope")).toBe("opsloop:read");
    expect(ask?.searchParams.get("resource")).toBe(http.url);
    await first.finishAuth(idp.approve(ask?.href ?? ""));

    const transport = new StreamableHTTPClientTransport(new URL(http.url), {
      authProvider: browser,
    });
    const client = new Client({ name: "cli", version: "1" });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("execute_remediation");
    // The write call's 403 sends the user back to consent to both scopes.
    await expect(client.callTool(WRITE_CALL)).rejects.toThrow(/Unauthorized/);
    const stepUp = browser.redirects[1];
    expect(stepUp?.searchParams.get("scope")).toBe("opsloop:read opsloop:write");
    await transport.finishAuth(idp.approve(stepUp?.href ?? ""));
    const r = await client.callTool(WRITE_CALL);
    expect(JSON.stringify(r.content)).toContain("confirmationToken");
    await client.close();
  });
});
