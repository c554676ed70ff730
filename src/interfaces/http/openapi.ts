/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the tools validate with
 * (`z.toJSONSchema`), so the published contract cannot drift from the code. OpenAPI 3.1 uses
 * JSON Schema 2020-12, which is zod's default target.
 */
import { z } from "zod";
import type { Tool } from "../../tools/registry.ts";
import { inputJsonSchema, toolMethod, toolPaths } from "./tool-routes.ts";

type Schema = Record<string, unknown>;

const PROBLEM: Schema = {
  type: "object",
  description: "RFC 9457 problem details",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: {
      type: "string",
      enum: [
        "invalid_input",
        "not_found",
        "conflict",
        "unavailable",
        "denied",
        "timeout",
        "internal",
      ],
    },
  },
  required: ["type", "title", "status", "detail", "code"],
};

const problemRef = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

function strip(schema: Schema): Schema {
  const { $schema: _drop, ...rest } = schema;
  return rest;
}

function operation(tool: Tool): Schema {
  const input = strip(inputJsonSchema(tool) as Schema);
  const output = strip(
    z.toJSONSchema(tool.output, { io: "output", unrepresentable: "any" }) as Schema,
  );
  const props = (input.properties ?? {}) as Record<string, Schema>;
  const required = new Set((input.required as string[] | undefined) ?? []);
  const read = tool.annotations.readOnly;
  return {
    operationId: tool.name,
    summary: tool.title,
    description: tool.description,
    "x-opsloop-annotations": tool.annotations,
    ...(read
      ? {
          parameters: Object.entries(props).map(([name, schema]) => ({
            name,
            in: "query",
            required: required.has(name),
            schema,
          })),
        }
      : {
          security: [{ bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: input } } },
        }),
    responses: {
      "200": { description: "OK", content: { "application/json": { schema: output } } },
      "400": problemRef("The input does not match the schema"),
      ...(read ? {} : { "403": problemRef("Missing or wrong bearer token, or denied") }),
      "404": problemRef("Not found"),
      "500": problemRef("Internal error"),
      "503": problemRef("A source (the cluster, Prometheus) is unavailable"),
    },
  };
}

/** The same read-only operation with its input as a JSON body (no token: it changes nothing). */
function readByPost(tool: Tool): Schema {
  const { parameters: _q, ...get } = operation(tool);
  const input = strip(inputJsonSchema(tool) as Schema);
  return {
    ...get,
    operationId: `${tool.name}_post`,
    requestBody: { required: false, content: { "application/json": { schema: input } } },
  };
}

const SIMPLE: Record<string, { summary: string; type: string }> = {
  "/healthz": { summary: "Liveness: the process serves requests", type: "text/plain" },
  "/readyz": { summary: "Readiness: the informers completed their first list", type: "text/plain" },
  "/metrics": { summary: "opsloop's own metrics (Prometheus text format)", type: "text/plain" },
  "/api/v1/stream": {
    summary: "Server-sent events: incident, action, change",
    type: "text/event-stream",
  },
  "/api/v1/incident-summaries": {
    summary: "One page of incident summaries (offset, limit, status)",
    type: "application/json",
  },
  "/api/v1/series": {
    summary: "Recent memory series with baseline band, forecast and anomalies",
    type: "application/json",
  },
  "/api/v1/roi": {
    summary: "MTTD, MTTR and noise reduction from the incidents",
    type: "application/json",
  },
};

export function openApiDocument(tools: Tool[], extraPaths: Record<string, Schema> = {}): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  const byTool = toolPaths(tools);
  for (const tool of tools) {
    // The alias under /api/v1/tools/ is the same operation; only the short path is documented.
    const path = byTool.get(tool.name)?.[0];
    if (!path) continue;
    paths[path] = { [toolMethod(tool)]: operation(tool) };
    if (tool.annotations.readOnly) paths[path].post = readByPost(tool);
  }
  for (const [path, s] of Object.entries(SIMPLE))
    paths[path] = {
      get: {
        summary: s.summary,
        responses: { "200": { description: "OK", content: { [s.type]: {} } } },
      },
    };
  return {
    openapi: "3.1.0",
    info: {
      title: "opsloop API",
      version: "1",
      description:
        "Every opsloop capability (the same registry as the MCP server). Read-only tools are GET with query parameters; tools that change the cluster are POST with a JSON body and a bearer token, and pass the guardrails.",
    },
    paths: { ...paths, ...extraPaths },
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
  };
}
