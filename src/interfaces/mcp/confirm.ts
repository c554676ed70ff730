/**
 * Human confirmation of write tools over MCP. With a client that declares the `elicitation`
 * capability the server asks through `elicitation/create` (MCP 2025-06-18); otherwise the first
 * call returns a one-time token bound to the tool and its exact arguments, and only a second call
 * carrying that token runs (the two-step "plan, then confirm" fallback). Anything else is denied:
 * fail closed, unlike peers whose fallback is `allow`.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

export const TOKEN_TTL_MS = 5 * 60_000;

interface Pending {
  tool: string;
  argsHash: string;
  expires: number;
}

/** Stable JSON (sorted keys) so the same arguments hash the same in any key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

const hashArgs = (tool: string, args: unknown) =>
  createHash("sha256")
    .update(`${tool}\n${canonical(args)}`)
    .digest("hex");

/** One-time confirmation tokens, kept hashed in memory for five minutes; shared by all sessions. */
export class ConfirmationTokens {
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  issue(tool: string, args: unknown): string {
    this.sweep();
    const token = randomBytes(18).toString("base64url");
    this.pending.set(this.key(token), {
      tool,
      argsHash: hashArgs(tool, args),
      expires: this.now() + TOKEN_TTL_MS,
    });
    return token;
  }

  /** True once for a live token issued for this tool and these arguments; the token is spent either way. */
  redeem(token: string, tool: string, args: unknown): boolean {
    this.sweep();
    const key = this.key(token);
    const p = this.pending.get(key);
    if (!p) return false;
    this.pending.delete(key);
    const a = Buffer.from(p.argsHash, "hex");
    const b = Buffer.from(hashArgs(tool, args), "hex");
    return p.tool === tool && timingSafeEqual(a, b);
  }

  private key(token: string): string {
    return createHash("sha256").update(token).digest("hex");
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, p] of this.pending) if (p.expires <= now) this.pending.delete(k);
  }
}

export type Confirmation =
  | { ok: true; via: "elicitation" | "token" }
  | { ok: false; message: string; token?: string };

/** Decides whether a write tool call may run; never runs it. */
export async function confirmWrite(
  server: McpServer,
  tokens: ConfirmationTokens,
  tool: { name: string; title: string },
  args: Record<string, unknown>,
  token: string | undefined,
): Promise<Confirmation> {
  if (token !== undefined) {
    return tokens.redeem(token, tool.name, args)
      ? { ok: true, via: "token" }
      : {
          ok: false,
          message: `denied: confirmationToken is unknown, expired, spent or for other arguments; call ${tool.name} without it to get a new one`,
        };
  }
  const caps = server.server.getClientCapabilities();
  if (caps?.elicitation) {
    const summary = JSON.stringify(args);
    const answer = await server.server.elicitInput({
      message: `opsloop wants to run "${tool.title}" (${tool.name}) with ${summary}. It passes the guardrails first. Allow it?`,
      requestedSchema: {
        type: "object",
        properties: {
          confirm: { type: "boolean", title: "Run this action", description: "Yes to run it now" },
        },
        required: ["confirm"],
      },
    });
    if (answer.action === "accept" && answer.content?.confirm === true)
      return { ok: true, via: "elicitation" };
    return {
      ok: false,
      message: `denied: the user did not confirm ${tool.name} (${answer.action})`,
    };
  }
  const issued = tokens.issue(tool.name, args);
  return {
    ok: false,
    token: issued,
    message: `confirmation required: nothing was changed. ${tool.name} is a write action and this client cannot ask the user (no elicitation). Show the user what it will do; if they agree, call ${tool.name} again with the same arguments plus "confirmationToken": "${issued}" (one use, valid ${TOKEN_TTL_MS / 60_000} minutes).`,
  };
}
