/**
 * Test support: a small real authorization server, Keycloak-style (issuer with a realm path,
 * OpenID discovery appended to it, a JWKS, a client_credentials token endpoint honouring RFC 8707
 * `resource` and granting each client only its allowed scopes), on 127.0.0.1:0, plus a token
 * minter with its key and a rogue key under the same `kid`. Never used by production code.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

interface Grant {
  client: string;
  requested: string;
  granted: string;
  resource: string;
}

/** The requested scopes this client may have. */
const allowed = (scopes: string[], requested: string) =>
  requested
    .split(" ")
    .filter((s) => scopes.includes(s))
    .join(" ");

export interface TestIssuer {
  issuer: string;
  jwksUrl: string;
  /** Signs an access token; claims override the defaults (iss, aud, sub, 5 min expiry). */
  mint(
    claims: JWTPayload,
    opts?: { rogue?: boolean; kid?: string; hs256?: boolean },
  ): Promise<string>;
  /** Requests served, by path (discovery order, JWKS refetches). */
  hits: string[];
  /** Clients: id → secret ("" for a public client) and the scopes it may be granted. */
  clients: Map<string, { secret: string; scopes: string[] }>;
  /** Tokens issued: client, requested scope, granted scope, RFC 8707 resource. */
  grants: Grant[];
  /** The user approves an authorization request (its full URL); returns the code. */
  approve(authorizeUrl: string): string;
  close(): Promise<void>;
}

export async function startTestIssuer(audience: () => string): Promise<TestIssuer> {
  const good = await generateKeyPair("RS256");
  const rogue = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(good.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const hits: string[] = [];
  const clients: TestIssuer["clients"] = new Map();
  const grants: TestIssuer["grants"] = [];
  let base = "";
  const realm = "/realms/opsloop";
  const sign = (claims: JWTPayload, opts: { rogue?: boolean; kid?: string; hs256?: boolean }) => {
    const now = Math.floor(Date.now() / 1000);
    const body = { iss: base + realm, aud: audience(), sub: "alice", iat: now, exp: now + 300 };
    const jwt = new SignJWT({ ...body, ...claims });
    if (opts.hs256)
      return jwt.setProtectedHeader({ alg: "HS256", kid: "k1" }).sign(new Uint8Array(32));
    jwt.setProtectedHeader({ alg: "RS256", kid: opts.kid ?? "k1", typ: "at+jwt" });
    return jwt.sign(opts.rogue ? rogue.privateKey : good.privateKey);
  };
  const codes = new Map<
    string,
    Omit<Grant, "resource"> & { challenge: string; redirect: string }
  >();
  const issue = async (g: Grant, res: ServerResponse) => {
    grants.push(g);
    const claims = { sub: g.client, client_id: g.client, scope: g.granted };
    const access_token = await sign({ ...claims, aud: g.resource || audience() }, {});
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ access_token, token_type: "Bearer", expires_in: 300, scope: g.granted }),
    );
  };
  const refuse = (res: ServerResponse, error: string) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error }));
  };
  const token = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const c of req) raw += c;
    const form = new URLSearchParams(raw);
    const resource = form.get("resource") ?? "";
    if (form.get("grant_type") === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      // PKCE (RFC 7636 S256), the same redirect and client as at the authorization endpoint.
      const verifier = createHash("sha256")
        .update(form.get("code_verifier") ?? "")
        .digest();
      const ok =
        code?.challenge === verifier.toString("base64url") &&
        code.redirect === form.get("redirect_uri") &&
        code.client === form.get("client_id");
      return ok && code ? issue({ ...code, resource }, res) : refuse(res, "invalid_grant");
    }
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const [id = "", secret] = Buffer.from(basic, "base64")
      .toString()
      .split(":")
      .map(decodeURIComponent);
    const client = clients.get(id);
    if (
      !client?.secret ||
      client.secret !== secret ||
      form.get("grant_type") !== "client_credentials"
    )
      return refuse(res, "invalid_client");
    const requested = form.get("scope") ?? "";
    await issue(
      { client: id, requested, granted: allowed(client.scopes, requested), resource },
      res,
    );
  };
  /** The user consents at the authorization endpoint: returns the code for the redirect. */
  const approve = (authorizeUrl: string): string => {
    const q = new URL(authorizeUrl).searchParams;
    const client = clients.get(q.get("client_id") ?? "");
    if (!client || q.get("code_challenge_method") !== "S256") throw new Error("bad authorize");
    const code = randomUUID();
    const requested = q.get("scope") ?? "";
    codes.set(code, {
      client: q.get("client_id") ?? "",
      requested,
      granted: allowed(client.scopes, requested),
      challenge: q.get("code_challenge") ?? "",
      redirect: q.get("redirect_uri") ?? "",
    });
    return code;
  };
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.method === "POST" && req.url === `${realm}/protocol/openid-connect/token`)
      return void token(req, res);
    const docs: Record<string, object> = {
      [`${realm}/.well-known/openid-configuration`]: {
        issuer: base + realm,
        authorization_endpoint: `${base}${realm}/protocol/openid-connect/auth`,
        token_endpoint: `${base}${realm}/protocol/openid-connect/token`,
        jwks_uri: `${base}${realm}/protocol/openid-connect/certs`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        grant_types_supported: ["authorization_code", "client_credentials"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "none"],
        code_challenge_methods_supported: ["S256"],
      },
      [`${realm}/protocol/openid-connect/certs`]: { keys: [jwk] },
    };
    const doc = docs[req.url ?? ""];
    res.writeHead(doc ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(doc ?? { error: "not found" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = base + realm;
  return {
    issuer,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    hits,
    clients,
    grants,
    approve,
    mint: (claims, opts = {}) => sign(claims, opts),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
