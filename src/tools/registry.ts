/**
 * THE capability registry: every capability once, with zod input/output schemas and MCP-style
 * annotations. The CLI, MCP server, HTTP API and LLM investigator are adapters over it.
 */
import type { z } from "zod";
import { OpsloopError } from "../core/errors.ts";
import type { ToolContext } from "./context.ts";

export interface ToolAnnotations {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  openWorld: boolean;
}

export interface Tool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  run(ctx: ToolContext, input: z.output<I>): Promise<z.input<O>>;
}

export function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>): Tool<I, O> {
  // verb_noun, or a single verb where the verb says it all (the issue's `forecast`, `rightsize`).
  if (!/^[a-z]+(_[a-z]+)*$/.test(tool.name)) {
    throw new OpsloopError("invalid_input", `tool name ${tool.name} must be snake_case verb_noun`);
  }
  return tool;
}

export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: Tool[] = []) {
    for (const t of tools) this.register(t);
  }

  register(tool: Tool): void {
    if (this.tools.has(tool.name))
      throw new OpsloopError("conflict", `tool ${tool.name} is already registered`);
    this.tools.set(tool.name, tool);
  }

  list(): Tool[] {
    return [...this.tools.values()];
  }

  get(name: string): Tool {
    const t = this.tools.get(name);
    if (!t) throw new OpsloopError("not_found", `no tool named ${name}`);
    return t;
  }

  /** Validates input, runs the tool and validates its output, so every adapter gets the same contract. */
  async call(ctx: ToolContext, name: string, rawInput: unknown): Promise<unknown> {
    const tool = this.get(name);
    const input = tool.input.safeParse(rawInput ?? {});
    if (!input.success) {
      const problems = input.error.issues
        .map((i) => `${i.path.join(".") || "input"}: ${i.message}`)
        .join("; ");
      throw new OpsloopError("invalid_input", `${name}: ${problems}`);
    }
    const out = tool.output.safeParse(await tool.run(ctx, input.data));
    if (!out.success)
      throw new OpsloopError("internal", `${name} produced invalid output: ${out.error.message}`);
    return out.data;
  }
}
