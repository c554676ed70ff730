/**
 * `opsloop mcp`: the MCP server over stdio (default; stdout carries only protocol messages) or
 * Streamable HTTP with a bearer token or as an OAuth 2.1 resource server. Read-only unless
 * --allow-write.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Command } from "commander";
import { loadRunbooks } from "../../../act/runbook.ts";
import { type Runtime, startRuntime } from "../../../agent/runtime.ts";
import { loadConfig } from "../../../config/config.ts";
import { OpsloopError } from "../../../core/errors.ts";
import type { ToolContext } from "../../../tools/context.ts";
import { type McpHttpOptions, startMcpHttp } from "../../mcp/http.ts";
import { urlAudience } from "../../mcp/oauth.ts";
import { createMcpServer } from "../../mcp/server.ts";

interface McpFlags {
  kubeconfig?: string;
  transport: string;
  port: string;
  host: string;
  allowWrite?: boolean;
  token?: string;
  tokenFile?: string;
  oauthIssuer?: string;
  oauthAudience?: string;
  oauthResource?: string;
  oauthJwksUrl?: string;
  oauthReadScope?: string;
  oauthWriteScope?: string;
  prometheusUrl?: string;
  db?: string;
  policy?: string;
  tools?: string;
}

/**
 * The runtime's context plus the kubeconfig for the read tools. Prometheus goes to the runtime,
 * so query_metrics and the history behind rightsize/plan_scaling read the same API.
 */
export async function mcpContext(flags: McpFlags): Promise<{ runtime: Runtime; ctx: ToolContext }> {
  const config = loadConfig({
    kubeconfig: flags.kubeconfig,
    db: flags.db,
    policyFile: flags.policy,
  });
  const runtime = await startRuntime({
    kubeconfig: config.kubeconfig,
    db: config.db,
    policyFile: config.policyFile,
    metricsUrl: config.metricsUrl,
    prometheusUrl: flags.prometheusUrl,
    // Under MCP the agent observes and diagnoses but never acts on its own: every change goes
    // through a write tool and the user's confirmation. The tools still see the runbooks.
    runbooks: [],
  });
  return {
    runtime,
    ctx: { ...runtime.ctx, runbooks: loadRunbooks(), kube: runtime.source.kc },
  };
}

function bearerToken(flags: McpFlags): string {
  if (flags.token) return flags.token;
  if (flags.tokenFile) {
    const t = readFileSync(flags.tokenFile, "utf8").trim();
    if (!t) throw new OpsloopError("invalid_input", `token file ${flags.tokenFile} is empty`);
    return t;
  }
  const t = randomBytes(24).toString("base64url");
  process.stderr.write(`opsloop mcp: no --token given; this run's bearer token is ${t}\n`);
  return t;
}

type HttpAuthOptions = Pick<McpHttpOptions, "token" | "oauth">;

/** Checked before anything starts, so a usage mistake exits 2 at once. */
export function httpAuthOptions(flags: McpFlags): HttpAuthOptions {
  const oauthFlags = [
    flags.oauthAudience && "--oauth-audience",
    flags.oauthResource && "--oauth-resource",
    flags.oauthJwksUrl && "--oauth-jwks-url",
    flags.oauthReadScope !== undefined && "--oauth-read-scope",
    flags.oauthWriteScope !== undefined && "--oauth-write-scope",
  ].filter(Boolean);
  if (!flags.oauthIssuer) {
    if (oauthFlags.length)
      throw new OpsloopError("invalid_input", `${oauthFlags.join(", ")} needs --oauth-issuer`);
    return flags.transport === "http" ? { token: bearerToken(flags) } : {};
  }
  if (flags.transport !== "http")
    throw new OpsloopError("invalid_input", "--oauth-issuer needs --transport http");
  if (flags.token || flags.tokenFile)
    throw new OpsloopError(
      "invalid_input",
      "--oauth-issuer and --token/--token-file are mutually exclusive: use OAuth or a static token",
    );
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(flags.host);
  if (!loopback && !flags.oauthResource && !urlAudience(flags.oauthAudience))
    throw new OpsloopError(
      "invalid_input",
      "--oauth-resource (or a URL --oauth-audience) is required with a non-loopback --host: the public URL clients use, e.g. https://opsloop.example.com/mcp",
    );
  return {
    oauth: {
      issuer: flags.oauthIssuer,
      resource: flags.oauthResource,
      audience: flags.oauthAudience,
      jwksUrl: flags.oauthJwksUrl,
      readScope: flags.oauthReadScope,
      writeScope: flags.oauthWriteScope,
    },
  };
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

async function serve(flags: McpFlags): Promise<void> {
  if (flags.transport !== "stdio" && flags.transport !== "http")
    throw new OpsloopError(
      "invalid_input",
      `--transport must be stdio or http; got "${flags.transport}"`,
    );
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new OpsloopError("invalid_input", `--port must be 0-65535; got "${flags.port}"`);
  const auth = httpAuthOptions(flags);
  const { runtime, ctx } = await mcpContext(flags);
  const allowWrite = flags.allowWrite === true;
  const tools = flags.tools
    ?.split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  try {
    if (flags.transport === "stdio") {
      const server = createMcpServer(ctx, { allowWrite, tools });
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once("end", () => resolve());
      });
      await server.connect(transport);
      await Promise.race([closed, untilSignal()]);
      await server.close();
    } else {
      const http = await startMcpHttp(ctx, { allowWrite, tools, ...auth, host: flags.host, port });
      const oauth = auth.oauth
        ? `; OAuth tokens from ${auth.oauth.issuer} for ${auth.oauth.audience ?? auth.oauth.resource ?? http.url}`
        : "";
      process.stderr.write(
        `opsloop mcp: listening on ${http.url}${allowWrite ? " (writes allowed)" : " (read-only)"}${oauth}\n`,
      );
      await untilSignal();
      await http.close();
    }
  } finally {
    await runtime.close();
  }
}

export function registerMcpCommand(program: Command): void {
  program
    .command("mcp")
    .description("serve opsloop's tools to AI assistants over MCP (read-only unless --allow-write)")
    .option(
      "--kubeconfig <file>",
      "kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)",
    )
    .option("--transport <kind>", "stdio or http", "stdio")
    .option("--port <n>", "HTTP port (0 = any free port)", "8765")
    .option("--host <addr>", "HTTP bind address", "127.0.0.1")
    .option(
      "--allow-write",
      "add write tools (remediation, approvals); each call still needs the user's confirmation",
    )
    .option("--token <t>", "bearer token HTTP clients must send (prefer --token-file)")
    .option("--token-file <file>", "read the bearer token from this file")
    .option(
      "--oauth-issuer <url>",
      "OAuth 2.1 resource-server mode: accept JWT access tokens from this issuer (exactly its iss)",
    )
    .option(
      "--oauth-resource <url>",
      "opsloop's public /mcp URL, the RFC 9728 resource (default: a URL audience, else the listen URL)",
    )
    .option("--oauth-audience <aud>", "the aud tokens must carry (default: the resource URL)")
    .option("--oauth-jwks-url <url>", "issuer's key set (default: from its discovery metadata)")
    .option("--oauth-read-scope <s>", 'scope every request needs (default opsloop:read; "" = none)')
    .option("--oauth-write-scope <s>", 'scope write tools need (default opsloop:write; "" = none)')
    .option(
      "--prometheus-url <url>",
      "Prometheus-compatible API for query_metrics, and the usage history rightsize/plan_scaling read",
    )
    .option(
      "--tools <names>",
      "serve only these tools (comma-separated), to save the assistant's context",
    )
    .option("--db <file>", "SQLite database (incidents, audit); default in memory")
    .option("--policy <file>", "guardrail policy YAML")
    .action((flags: McpFlags) => serve(flags));
}
