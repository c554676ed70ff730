/** Applies a PATCH body according to its Content-Type, as the API server's patcher does. */
import fastJsonPatch from "fast-json-patch";
import { parse as parseYaml } from "yaml";
import { ApiError } from "../../store/api-error.ts";
import { mergePatch } from "./merge-patch.ts";
import { strategicMergePatch } from "./strategic.ts";

export type PatchType = "json" | "merge" | "strategic" | "apply";

export function patchTypeOf(contentType: string): PatchType {
  const ct = contentType.split(";")[0]?.trim() ?? "";
  switch (ct) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
    case "application/apply-patch+cbor":
      return "apply";
    default:
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
  }
}

export function parsePatchBody(type: PatchType, body: string): unknown {
  try {
    // Server-side apply bodies are YAML; kubectl sends JSON, which YAML also parses.
    return type === "apply" ? parseYaml(body) : JSON.parse(body);
  } catch (e) {
    throw ApiError.badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

export function applyPatch(type: PatchType, original: unknown, patch: unknown): unknown {
  switch (type) {
    case "merge":
      return mergePatch(original, patch);
    case "strategic":
    case "apply":
      return strategicMergePatch(original, patch);
    case "json":
      return applyJsonPatch(original, patch);
  }
}

function applyJsonPatch(original: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw ApiError.badRequest("json patch must be an array of operations");
  try {
    const doc = structuredClone(original);
    return fastJsonPatch.applyPatch(doc, patch as fastJsonPatch.Operation[], true, true)
      .newDocument;
  } catch (e) {
    throw new ApiError(
      422,
      "Invalid",
      `the server rejected our request due to an error in our request: ${(e as Error).message}`,
    );
  }
}
