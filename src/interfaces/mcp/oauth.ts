/**
 * OAuth 2.1 resource-server mode for MCP over HTTP (MCP authorization spec 2025-06-18 and
 * 2025-11-25). opsloop only validates access tokens; an external authorization server
 * (Keycloak, Dex, Entra ID, ...) issues them. Tokens are JWTs checked against the issuer's
 * JWKS: signature with an asymmetric algorithm, `iss`, `aud` = our resource URL (RFC 8707, so
 * a token minted for another service is refused), `exp` required, small clock skew allowed.
 *
 * Scopes: `readScope` is needed for any request; with --allow-write, calling a write tool also
 * needs `writeScope`. Write tools stay listed for everyone; a call without the scope gets 403
 * `insufficient_scope` naming the scopes, which MCP clients treat as a step-up authorization
 * request (spec 2025-11-25, "scope challenge handling"). Metadata for clients is served per
 * RFC 9728 and every 401 points at it (`resource_metadata`).
 */

import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { OAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/shared/auth.js";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { type AuthFailure, type AuthResult, bearerOf, type HttpAuth, quoted } from "./auth.ts";
import { checkAuthUrl, checkJwks, discoverJwksUri } from "./oauth-discovery.ts";

export interface OAuthOptions {
  /** The authorization server's issuer, exactly as its tokens' `iss`. */
  issuer: string;
  /**
   * The RFC 9728 `resource`: the public URL clients use for /mcp (https, or http on loopback).
   * Default: `audience` when that is a URL, else the server's own listen URL.
   */
  resource?: string;
  /** Accepted `aud` (RFC 8707); default the resource. Dex-style issuers put a client id here. */
  audience?: string;
  /** Default: `jwks_uri` from the issuer's metadata. */
  jwksUrl?: string;
  /** Needed for any request (default `opsloop:read`; "" for none). */
  readScope?: string;
  /** Needed to call a write tool (default `opsloop:write`; "" for none). */
  writeScope?: string;
  /** Accepted JWS algorithms (default: the asymmetric ones; never HS* or none). */
  algorithms?: string[];
  clockToleranceSec?: number;
  /** Per fetch of metadata or keys (default 5 s). */
  timeoutMs?: number;
}

export interface OAuthAuth extends HttpAuth {
  resource: string;
  metadataUrl: string;
  metadata: OAuthProtectedResourceMetadata;
}

const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"].concat([
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);
const WELL_KNOWN = "/.well-known/oauth-protected-resource";

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function protectedResourceMetadataUrl(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname === "/" ? "" : u.pathname.replace(/\/$/, "");
  return new URL(`${WELL_KNOWN}${path}`, u.origin).href;
}

/** An audience that is itself the resource URL (the usual case: RFC 8707 resource indicators). */
export function urlAudience(audience: string | undefined): string | undefined {
  return audience && /^https?:\/\//i.test(audience) ? audience : undefined;
}

/** `scope` (RFC 9068 §2.2.3, space-separated) or `scp` (Entra ID, Okta: string or array). */
export function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === "string") return raw.split(" ").filter(Boolean);
  return Array.isArray(raw) ? raw.filter((s): s is string => typeof s === "string") : [];
}

/** Why a token was refused, without echoing anything from it. */
function rejection(e: unknown): AuthFailure | string {
  const code = (e as { code?: string }).code ?? "";
  const claim = (e as { claim?: string }).claim;
  if (code === "ERR_JWT_EXPIRED") return "token expired";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED")
    return claim === "aud"
      ? "token audience is not this server"
      : claim === "iss"
        ? "token issuer is not trusted"
        : `token claim ${claim ?? "?"} is invalid`;
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return "token signature is invalid";
  if (code === "ERR_JWKS_NO_MATCHING_KEY") return "no key of the issuer matches the token";
  if (code === "ERR_JOSE_ALG_NOT_ALLOWED" || code === "ERR_JOSE_NOT_SUPPORTED")
    return "token algorithm is not allowed";
  if (code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS")
    return "token names no key (kid) and several match";
  if (code === "ERR_JWT_INVALID" || code === "ERR_JWS_INVALID") return "token is malformed";
  // The key set could not be fetched: the client's token may be fine, so no 401 (which would
  // send it back to the authorization server for nothing).
  return { status: 503, message: "cannot fetch the authorization server's keys; retry later" };
}

export async function createOAuthAuth(
  opts: OAuthOptions,
  env: { serverUrl: string; writeTools: ReadonlySet<string> },
): Promise<OAuthAuth> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  checkAuthUrl("--oauth-issuer", opts.issuer);
  const resource = opts.resource ?? urlAudience(opts.audience) ?? env.serverUrl;
  checkAuthUrl("the OAuth resource URL", resource);
  const audience = opts.audience ?? resource;
  const jwksUrl = opts.jwksUrl ?? (await discoverJwksUri(opts.issuer, timeoutMs));
  checkAuthUrl("the JWKS URL", jwksUrl);
  await checkJwks(jwksUrl, timeoutMs);
  const jwks = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: timeoutMs });
  const readScope = opts.readScope ?? "opsloop:read";
  const writeScope = env.writeTools.size ? (opts.writeScope ?? "opsloop:write") : "";
  const metadataUrl = protectedResourceMetadataUrl(resource);
  const metadata: OAuthProtectedResourceMetadata = {
    resource,
    authorization_servers: [opts.issuer],
    scopes_supported: [readScope, writeScope].filter(Boolean),
    bearer_methods_supported: ["header"],
    resource_name: "opsloop",
  };
  const challenge = (params: Record<string, string>) =>
    `Bearer ${Object.entries({ ...params, resource_metadata: metadataUrl })
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${quoted(v)}`)
      .join(", ")}`;
  const invalid = (why: string): AuthResult => ({
    ok: false,
    status: 401,
    challenge: challenge({ error: "invalid_token", error_description: why, scope: readScope }),
    message: `invalid access token: ${why}`,
  });
  const insufficient = (scope: string): AuthFailure => ({
    status: 403,
    challenge: challenge({ error: "insufficient_scope", scope }),
    message: `insufficient scope: this needs ${scope}`,
  });
  const metadataPath = new URL(metadataUrl).pathname;

  return {
    resource,
    metadataUrl,
    metadata,
    async authenticate(authorization) {
      const token = bearerOf(authorization);
      // RFC 6750 §3.1: no error code when the request carried no credentials at all.
      if (!token)
        return {
          ok: false,
          status: 401,
          challenge: challenge({ scope: readScope }),
          message: "authorization required: send an OAuth access token as a Bearer token",
        };
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: opts.issuer,
          audience,
          algorithms: opts.algorithms ?? ALGORITHMS,
          clockTolerance: opts.clockToleranceSec ?? 30,
          requiredClaims: ["exp"],
        }));
      } catch (e) {
        const r = rejection(e);
        return typeof r === "string" ? invalid(r) : { ok: false, ...r };
      }
      const scopes = scopesOf(payload);
      if (readScope && !scopes.includes(readScope))
        return { ok: false, ...insufficient(readScope) };
      const clientId = String(payload.client_id ?? payload.azp ?? "");
      const info: AuthInfo = {
        token,
        clientId,
        scopes,
        expiresAt: payload.exp,
        resource: new URL(resource),
        extra: { sub: payload.sub, iss: payload.iss },
      };
      return { ok: true, info, owner: `${payload.iss} ${payload.sub ?? clientId}` };
    },
    authorizeCall(info, body) {
      if (!writeScope || info.scopes.includes(writeScope)) return undefined;
      const calls = Array.isArray(body) ? body : [body];
      const writes = calls.some((m) => {
        const msg = m as { method?: unknown; params?: { name?: unknown } } | null;
        return msg?.method === "tools/call" && env.writeTools.has(String(msg.params?.name));
      });
      // The scope parameter lists everything needed, as clients replace rather than add.
      return writes ? insufficient([readScope, writeScope].filter(Boolean).join(" ")) : undefined;
    },
    document: (path) => (path === metadataPath || path === WELL_KNOWN ? metadata : undefined),
  };
}
