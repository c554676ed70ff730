/**
 * Start-up checks for the OAuth resource-server mode: find the authorization server's JWKS
 * (RFC 8414 / OpenID Connect Discovery, in the order the MCP authorization spec gives, via the
 * SDK's own discovery) and fetch it once, so a wrong or unreachable issuer fails at start with
 * one line instead of turning every later request into a 401.
 */
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { OpsloopError } from "../../core/errors.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * OAuth 2.1 §1.5 wants TLS for every endpoint; plain http is allowed on loopback only (tests,
 * an authorization server on the same host).
 */
export function checkAuthUrl(what: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OpsloopError("invalid_input", `${what} is not a URL: "${value}"`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname)))
    throw new OpsloopError(
      "invalid_input",
      `${what} must be https (http only on loopback): ${value}`,
    );
  return url;
}

/** The reason of a failed fetch in a few words (undici hides it in `cause`). */
function reason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError") return "timed out";
  const text = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return text.split("\n")[0]?.slice(0, 160) ?? "";
}

/** The issuer's `jwks_uri`, from its authorization-server or OpenID provider metadata. */
export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  let networkError: unknown;
  const fetchFn = async (url: string | URL, init?: RequestInit) => {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      networkError = e;
      throw e;
    }
  };
  let meta: { issuer: string; jwks_uri?: unknown } | undefined;
  try {
    meta = await discoverAuthorizationServerMetadata(issuer, { fetchFn });
  } catch (e) {
    const why = networkError ? `unreachable (${reason(networkError)})` : "invalid metadata";
    throw new OpsloopError("unavailable", `OAuth issuer ${issuer}: ${why}`, { cause: e });
  }
  if (!meta)
    throw new OpsloopError(
      "unavailable",
      networkError
        ? `OAuth issuer ${issuer} is unreachable (${reason(networkError)})`
        : `OAuth issuer ${issuer} publishes no oauth-authorization-server or openid-configuration metadata; pass --oauth-jwks-url`,
    );
  // RFC 8414 §3.3 / OIDC Discovery §4.3: the document must name the issuer it was fetched for.
  if (meta.issuer !== issuer)
    throw new OpsloopError(
      "invalid_input",
      `OAuth issuer mismatch: metadata for ${issuer} says issuer "${meta.issuer}" (use exactly the iss of its tokens)`,
    );
  if (typeof meta.jwks_uri !== "string")
    throw new OpsloopError(
      "unavailable",
      `OAuth issuer ${issuer} metadata has no jwks_uri; pass --oauth-jwks-url`,
    );
  return meta.jwks_uri;
}

/** Fetches the key set once: reachable, JSON, and at least one key. */
export async function checkJwks(jwksUrl: string, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(jwksUrl, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new OpsloopError("unavailable", `OAuth JWKS ${jwksUrl} is unreachable (${reason(e)})`);
  }
  const body = (await res.json().catch(() => undefined)) as { keys?: unknown } | undefined;
  if (!res.ok || !Array.isArray(body?.keys) || body.keys.length === 0)
    throw new OpsloopError(
      "unavailable",
      `OAuth JWKS ${jwksUrl} is not a key set (HTTP ${res.status}${res.ok ? ", no keys" : ""})`,
    );
}
