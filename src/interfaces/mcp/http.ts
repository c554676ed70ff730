/**
 * MCP over Streamable HTTP on `/mcp`, behind a static bearer token (compared in constant time;
 * a missing or wrong token gets 401 with `WWW-Authenticate: Bearer`, RFC 6750). Sessions are
 * stateful (Mcp-Session-Id) because elicitation needs the server to send a request mid-call and
 * see the answer on the same session. Binds to 127.0.0.1 unless told otherwise, and rejects
 * foreign Host headers on loopback (DNS rebinding).
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { OpsloopError } from "../../core/errors.ts";
import type { ToolContext } from "../../tools/context.ts";
import { ConfirmationTokens } from "./confirm.ts";
import { createMcpServer, type McpServerOptions } from "./server.ts";

export interface McpHttpOptions extends McpServerOptions {
  token: string;
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

const digest = (s: string) => createHash("sha256").update(s).digest();

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  // Hash both sides so the comparison is constant time whatever the lengths.
  return !!m?.[1] && timingSafeEqual(digest(m[1].trim()), digest(token));
}

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
  if (!opts.token)
    throw new OpsloopError("invalid_input", "the HTTP transport needs a bearer token (--token)");
  const host = opts.host ?? "127.0.0.1";
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  const tokens = opts.tokens ?? new ConfirmationTokens();
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const lastSeen = new Map<string, number>();
  // Clients that vanish without DELETE would otherwise keep their session (and server) forever.
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, t] of sessions) if ((lastSeen.get(id) ?? 0) < cutoff) void t.close();
  }, 60_000);
  sweeper.unref();
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/mcp")
      return send(res, 404, { error: "not found; the MCP endpoint is /mcp" });
    if (loopback && !/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(req.headers.host ?? ""))
      return send(res, 403, jsonRpcError("forbidden Host header"));
    if (!authorized(req, opts.token))
      return send(res, 401, jsonRpcError("missing or invalid bearer token"), {
        "www-authenticate": 'Bearer realm="opsloop-mcp"',
      });
    const sid = req.headers["mcp-session-id"];
    const existing = typeof sid === "string" ? sessions.get(sid) : undefined;
    if (existing && typeof sid === "string") lastSeen.set(sid, Date.now());
    if (req.method !== "POST") {
      if (!existing) return send(res, 400, jsonRpcError("unknown or missing Mcp-Session-Id"));
      return existing.handleRequest(req, res);
    }
    const body = await readJson(req, opts.maxBodyBytes ?? 1 << 20);
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
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) {
        sessions.delete(transport.sessionId);
        lastSeen.delete(transport.sessionId);
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
  return {
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/mcp`,
    async close() {
      clearInterval(sweeper);
      // Shutting down: a session whose client already went away has nothing left to close.
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
