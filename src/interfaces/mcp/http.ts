/**
 * MCP over Streamable HTTP on `/mcp`, behind a static bearer token or OAuth access tokens
 * (auth.ts, oauth.ts; a missing or bad token gets 401 with `WWW-Authenticate`, RFC 6750).
 * Sessions are stateful (Mcp-Session-Id) because elicitation needs the server to send a request
 * mid-call and see the answer on the same session; each session is bound to the principal that
 * opened it. Binds to 127.0.0.1 unless told otherwise, and rejects foreign Host headers on
 * loopback (DNS rebinding).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { OpsloopError } from "../../core/errors.ts";
import type { ToolContext } from "../../tools/context.ts";
import { toolRegistry } from "../../tools/index.ts";
import { type HttpAuth, staticBearerAuth } from "./auth.ts";
import { ConfirmationTokens } from "./confirm.ts";
import { createOAuthAuth, type OAuthOptions } from "./oauth.ts";
import { createMcpServer, type McpServerOptions } from "./server.ts";

export interface McpHttpOptions extends McpServerOptions {
  /** Static bearer token; exactly one of `token` and `oauth`. */
  token?: string;
  /** OAuth 2.1 resource-server mode: validate access tokens of this authorization server. */
  oauth?: OAuthOptions;
  host?: string;
  port?: number;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface McpHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 256;

function send(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw new OpsloopError("invalid_input", "request body too large");
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new OpsloopError("invalid_input", "request body is not JSON");
  }
}

const jsonRpcError = (message: string) => ({
  jsonrpc: "2.0",
  error: { code: -32000, message },
  id: null,
});

export async function startMcpHttp(ctx: ToolContext, opts: McpHttpOptions): Promise<McpHttpServer> {
  if (!opts.token === !opts.oauth)
    throw new OpsloopError(
      "invalid_input",
      "the HTTP transport needs either a bearer token (--token) or OAuth (--oauth-issuer)",
    );
  let auth: HttpAuth | undefined = opts.token ? staticBearerAuth(opts.token) : undefined;
  const host = opts.host ?? "127.0.0.1";
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  const tokens = opts.tokens ?? new ConfirmationTokens();
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const lastSeen = new Map<string, number>();
  const owners = new Map<string, string>();
  // Clients that vanish without DELETE would otherwise keep their session (and server) forever.
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, t] of sessions) if ((lastSeen.get(id) ?? 0) < cutoff) void t.close();
  }, 60_000);
  sweeper.unref();
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (loopback && !/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(req.headers.host ?? ""))
      return send(res, 403, jsonRpcError("forbidden Host header"));
    if (!auth) return send(res, 503, jsonRpcError("starting"));
    const doc = auth.document(url.pathname);
    if (doc) return sendDocument(req, res, doc);
    if (url.pathname !== "/mcp")
      return send(res, 404, { error: "not found; the MCP endpoint is /mcp" });
    const who = await auth.authenticate(req.headers.authorization);
    if (!who.ok) return refuse(res, who);
    const sid = req.headers["mcp-session-id"];
    // A session belongs to whoever opened it; to anyone else it does not exist.
    const known = typeof sid === "string" && owners.get(sid) === who.owner;
    const existing = known ? sessions.get(sid) : undefined;
    (req as IncomingMessage & { auth?: AuthInfo }).auth = who.info;
    if (existing && typeof sid === "string") lastSeen.set(sid, Date.now());
    if (req.method !== "POST") {
      if (!existing) return send(res, 400, jsonRpcError("unknown or missing Mcp-Session-Id"));
      return existing.handleRequest(req, res);
    }
    const body = await readJson(req, opts.maxBodyBytes ?? 1 << 20);
    const denied = auth.authorizeCall(who.info, body);
    if (denied) return refuse(res, denied);
    if (existing) return existing.handleRequest(req, res, body);
    if (sid !== undefined || !isInitializeRequest(body))
      return send(
        res,
        sid ? 404 : 400,
        jsonRpcError(sid ? "session not found" : "no session: send initialize first"),
      );
    if (sessions.size >= MAX_SESSIONS)
      return send(res, 503, jsonRpcError("too many open sessions"));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        lastSeen.set(id, Date.now());
        owners.set(id, who.owner);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) {
        sessions.delete(transport.sessionId);
        lastSeen.delete(transport.sessionId);
        owners.delete(transport.sessionId);
      }
    };
    await createMcpServer(ctx, { ...opts, tokens }).connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent)
        send(res, e instanceof OpsloopError ? 400 : 500, jsonRpcError((e as Error).message));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const serverUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}/mcp`;
  const close = async () => {
    clearInterval(sweeper);
    // Shutting down: a session whose client already went away has nothing left to close.
    await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
    sessions.clear();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  if (opts.oauth)
    auth = await createOAuthAuth(opts.oauth, { serverUrl, writeTools: writeToolNames(opts) }).catch(
      async (e) => {
        await close();
        throw e;
      },
    );
  return { port, url: serverUrl, close };
}

/** Write tools the server registers; only these need the write scope. */
function writeToolNames(opts: McpServerOptions): Set<string> {
  if (!opts.allowWrite) return new Set();
  const tools = toolRegistry({ allowWrite: true }).list();
  return new Set(tools.filter((t) => !t.annotations.readOnly).map((t) => t.name));
}

function refuse(res: ServerResponse, f: { status: number; challenge?: string; message: string }) {
  send(
    res,
    f.status,
    jsonRpcError(f.message),
    f.challenge ? { "www-authenticate": f.challenge } : {},
  );
}

/** Public metadata; browser-based clients read it cross-origin (RFC 9728 §3, CORS). */
function sendDocument(req: IncomingMessage, res: ServerResponse, doc: object) {
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "GET, OPTIONS",
  };
  if (req.method === "OPTIONS") {
    res.writeHead(204, cors);
    return res.end();
  }
  if (req.method !== "GET") return send(res, 405, { error: "method not allowed" }, cors);
  send(res, 200, doc, { ...cors, "cache-control": "max-age=3600" });
}
