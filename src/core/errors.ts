/**
 * One error family for failures. Expected outcomes (a guardrail denial, a missing object in a
 * lookup) are values, not errors. Each edge translates an OpsloopError once: HTTP status, MCP
 * isError, CLI exit code.
 */
export type ErrorCode =
  | "invalid_input"
  | "not_found"
  | "conflict"
  | "unavailable"
  | "denied"
  | "timeout"
  | "internal";

export class OpsloopError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; data?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "OpsloopError";
    this.code = code;
    this.data = options.data;
  }
}

export function isOpsloopError(e: unknown): e is OpsloopError {
  return e instanceof OpsloopError;
}
