/** Test support: replies of the AI SDK's MockLanguageModelV3 and the tool results it was sent. */
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from "@ai-sdk/provider";

export type Prompt = LanguageModelV3CallOptions["prompt"];

export const toolResults = (p: Prompt) =>
  p
    .filter((m) => m.role === "tool")
    .flatMap((m) => m.content)
    .flatMap((c) => (c.type === "tool-result" ? [c] : []));

export function reply(content: LanguageModelV3GenerateResult["content"], calls: boolean) {
  return {
    content,
    finishReason: { unified: calls ? "tool-calls" : "stop", raw: undefined },
    usage: {
      inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 10, text: 10, reasoning: 0 },
    },
    warnings: [],
  } as LanguageModelV3GenerateResult;
}

/** One tool call of the model, its input as the JSON text the SDK expects. */
export const call = (id: string, toolName: string, input: unknown) =>
  ({ type: "tool-call", toolCallId: id, toolName, input: JSON.stringify(input) }) as const;
