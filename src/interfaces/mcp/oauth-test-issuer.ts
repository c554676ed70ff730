/**
 * Test support: a real authorization server's public face, Keycloak-style (issuer with a realm
 * path, OpenID discovery appended to it, a JWKS), on 127.0.0.1:0, plus a token minter with its
 * key and a rogue key under the same `kid`. Never used by production code.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

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
  close(): Promise<void>;
}

export async function startTestIssuer(audience: () => string): Promise<TestIssuer> {
  const good = await generateKeyPair("RS256");
  const rogue = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(good.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const hits: string[] = [];
  let base = "";
  const realm = "/realms/opsloop";
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const docs: Record<string, object> = {
      [`${realm}/.well-known/openid-configuration`]: {
        issuer: base + realm,
        authorization_endpoint: `${base}${realm}/protocol/openid-connect/auth`,
        token_endpoint: `${base}${realm}/protocol/openid-connect/token`,
        jwks_uri: `${base}${realm}/protocol/openid-connect/certs`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
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
    async mint(claims, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const body = { iss: issuer, aud: audience(), sub: "alice", iat: now, exp: now + 300 };
      const jwt = new SignJWT({ ...body, ...claims });
      if (opts.hs256)
        return jwt.setProtectedHeader({ alg: "HS256", kid: "k1" }).sign(new Uint8Array(32));
      jwt.setProtectedHeader({ alg: "RS256", kid: opts.kid ?? "k1", typ: "at+jwt" });
      return jwt.sign(opts.rogue ? rogue.privateKey : good.privateKey);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
