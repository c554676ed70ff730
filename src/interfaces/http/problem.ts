/**
 * Errors at the HTTP edge, translated once: an OpsloopError's code becomes the status and an
 * RFC 9457 problem document (application/problem+json) the body. Anything else is a 500 whose
 * detail is generic, so internal messages (paths, stack traces) never reach a client.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrorCode, isOpsloopError } from "../../core/errors.ts";
import { redactText } from "../../core/redact.ts";

export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  denied: 403,
  not_found: 404,
  conflict: 409,
  timeout: 504,
  unavailable: 503,
  internal: 500,
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
}

export function problemOf(e: unknown): Problem {
  if (isOpsloopError(e)) {
    const status = STATUS_BY_CODE[e.code];
    return {
      type: `https://opsloop.dev/problems/${e.code}`,
      title: e.code.replace(/_/g, " "),
      status,
      detail: redactText(e.message),
      code: e.code,
    };
  }
  return {
    type: "https://opsloop.dev/problems/internal",
    title: "internal",
    status: 500,
    detail: "internal error; see the opsloop log",
    code: "internal",
  };
}

export function problemResponse(c: Context, e: unknown): Response {
  const p = problemOf(e);
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
  });
}
