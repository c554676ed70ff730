/**
 * Every registry tool as an HTTP route: read-only tools as `GET /api/v1/<noun>` with the input in
 * the query string (or POST with a JSON body), write tools as `POST /api/v1/<noun>` with a JSON
 * body and the bearer token.
 * Both also answer at `/api/v1/tools/<name>`. Input is validated by the tool's own zod schema in
 * `ToolRegistry.call`, exactly as for MCP; query strings are first coerced to the types the
 * schema's JSON Schema declares (a query string only carries text).
 */
import { timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { RuntimeMetrics } from "../../agent/runtime-metrics.ts";
import { isOpsloopError, OpsloopError } from "../../core/errors.ts";
import type { ToolContext } from "../../tools/context.ts";
import type { Tool, ToolRegistry } from "../../tools/registry.ts";
import { problemResponse } from "./problem.ts";

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
};

const VERB_PREFIX = /^(list|get)_/;

/** `list_incidents` → `incidents`, `get_predictions` → `predictions`, `audit_log` → `audit-log`. */
export function toolNoun(name: string): string {
  return name.replace(VERB_PREFIX, "").replace(/_/g, "-");
}

export function toolMethod(tool: Tool): "get" | "post" {
  return tool.annotations.readOnly ? "get" : "post";
}

/** Route paths per tool; a noun two tools would share falls back to the full tool name. */
export function toolPaths(tools: Tool[]): Map<string, string[]> {
  const counts = new Map<string, number>();
  for (const t of tools) counts.set(toolNoun(t.name), (counts.get(toolNoun(t.name)) ?? 0) + 1);
  const out = new Map<string, string[]>();
  for (const t of tools) {
    const noun =
      (counts.get(toolNoun(t.name)) ?? 0) > 1 ? t.name.replace(/_/g, "-") : toolNoun(t.name);
    out.set(t.name, [`/api/v1/${noun}`, `/api/v1/tools/${t.name}`]);
  }
  return out;
}

export function inputJsonSchema(tool: Tool): JsonSchema {
  return z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

function typesOf(s: JsonSchema | undefined): string[] {
  if (!s) return [];
  const own = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  return [...own, ...(s.anyOf ?? []).flatMap(typesOf)];
}

function coerceOne(raw: string, s: JsonSchema | undefined): unknown {
  const types = typesOf(s);
  if ((types.includes("number") || types.includes("integer")) && raw.trim() !== "") {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  if (types.includes("boolean") && (raw === "true" || raw === "false")) return raw === "true";
  if ((types.includes("object") || types.includes("array")) && /^[[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      // Left as text: the tool's schema then reports what it expected.
    }
  }
  return raw;
}

/** Query parameters → tool input, typed by the input's JSON Schema. */
export function queryInput(c: Context, schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    const prop = schema.properties?.[key];
    if (typesOf(prop).includes("array") && !(values.length === 1 && values[0]?.startsWith("[")))
      out[key] = values.map((v) => coerceOne(v, prop?.items));
    else out[key] = coerceOne(values[values.length - 1] ?? "", prop);
  }
  return out;
}

export function bearerOk(c: Context, token: string | undefined): boolean {
  if (!token) return false;
  const header = c.req.header("authorization") ?? "";
  const given = Buffer.from(header.replace(/^Bearer\s+/i, ""));
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** A JSON request body; an empty body is `{}`. */
export async function bodyInput(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new OpsloopError("invalid_input", "the request body must be JSON");
  }
}

export interface ToolRouteOptions {
  ctx: ToolContext;
  registry: ToolRegistry;
  /** Bearer token write tools need; without one, write tools answer 403. */
  token?: string;
  metrics?: RuntimeMetrics;
  /** Called after a write tool succeeded (the dashboard refreshes on it). */
  onWrite?: (tool: string) => void;
}

export function mountTools(app: Hono, o: ToolRouteOptions): void {
  const tools = o.registry.list();
  const paths = toolPaths(tools);
  for (const tool of tools) {
    const schema = inputJsonSchema(tool);
    const handler = async (c: Context) => {
      const started = performance.now();
      let outcome = "ok";
      try {
        if (!tool.annotations.readOnly && !bearerOk(c, o.token))
          throw new OpsloopError(
            "denied",
            o.token
              ? `${tool.name} changes the cluster: send "Authorization: Bearer <token>"`
              : `${tool.name} changes the cluster and this server has no API token; start it with --token`,
          );
        const input = c.req.method === "GET" ? queryInput(c, schema) : await bodyInput(c);
        const out = await o.registry.call(o.ctx, tool.name, input);
        if (!tool.annotations.readOnly) o.onWrite?.(tool.name);
        return c.json(out as object);
      } catch (e) {
        outcome = isOpsloopError(e) ? e.code : "internal";
        return problemResponse(c, e);
      } finally {
        o.metrics?.inc("opsloop_tool_calls_total", { tool: tool.name, outcome });
        o.metrics?.observe(
          "opsloop_tool_call_duration_seconds",
          { tool: tool.name },
          (performance.now() - started) / 1000,
        );
      }
    };
    // Read-only tools also take a JSON body by POST, for inputs a query string carries badly
    // (a forecast's series); they stay read-only and need no token.
    const methods = tool.annotations.readOnly ? ["GET", "POST"] : ["POST"];
    for (const path of paths.get(tool.name) ?? []) app.on(methods, path, handler);
  }
}
