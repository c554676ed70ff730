/**
 * How the MCP HTTP endpoint decides who may call it. Two modes share one shape: a static bearer
 * token (this file) and the OAuth 2.1 resource-server mode (oauth.ts). Either way the outcome is
 * an `AuthInfo` (the SDK's type, handed to tool handlers as `extra.authInfo`) plus an owner
 * string that sessions are bound to, so one principal cannot ride another's Mcp-Session-Id.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";

export interface AuthFailure {
  status: 401 | 403 | 503;
  /** The WWW-Authenticate value (RFC 6750 §3), when the status calls for one. */
  challenge?: string;
  /** One line for the JSON-RPC error body; never contains the token. */
  message: string;
}

export type AuthResult =
  | { ok: true; info: AuthInfo; owner: string }
  | ({ ok: false } & AuthFailure);

export interface HttpAuth {
  /** Validates the Authorization header of a request to the MCP endpoint. */
  authenticate(authorization: string | undefined): Promise<AuthResult>;
  /** A failure when the token's scopes do not cover this JSON-RPC body (single or batch). */
  authorizeCall(info: AuthInfo, body: unknown): AuthFailure | undefined;
  /** Documents served without authentication (RFC 9728 metadata), by request path. */
  document(path: string): object | undefined;
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), else undefined. */
export function bearerOf(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return m?.[1];
}

/** A quoted-string auth-param value (RFC 9110 §11.2): our own text, but never trust that. */
export function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, "").replace(/[^\x20-\x7e]/g, " ")}"`;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export function staticBearerAuth(token: string): HttpAuth {
  const expected = digest(token);
  return {
    async authenticate(authorization) {
      const given = bearerOf(authorization);
      // Hash both sides so the comparison is constant time whatever the lengths.
      if (given && timingSafeEqual(digest(given), expected))
        return {
          ok: true,
          owner: "static-token",
          info: { token: given, clientId: "", scopes: [] },
        };
      return {
        ok: false,
        status: 401,
        challenge: 'Bearer realm="opsloop-mcp"',
        message: "missing or invalid bearer token",
      };
    },
    authorizeCall: () => undefined,
    document: () => undefined,
  };
}
