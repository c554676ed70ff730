/** An error the simulated API server returns as a `kind: Status` body. */
export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "BadRequest"
  | "Gone"
  | "Expired"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "TooManyRequests"
  | "InternalError";

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: Record<string, unknown> | undefined;
  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.name = "ApiError";
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  static notFound(resource: string, name: string, group = ""): ApiError {
    const what = group ? `${resource}.${group}` : resource;
    return new ApiError(404, "NotFound", `${what} "${name}" not found`, {
      name,
      group,
      kind: resource,
    });
  }

  static alreadyExists(resource: string, name: string, group = ""): ApiError {
    const what = group ? `${resource}.${group}` : resource;
    return new ApiError(409, "AlreadyExists", `${what} "${name}" already exists`, {
      name,
      group,
      kind: resource,
    });
  }

  static conflict(resource: string, name: string, group = ""): ApiError {
    const what = group ? `${resource}.${group}` : resource;
    return new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${what} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group, kind: resource },
    );
  }

  static invalid(kind: string, name: string, message: string): ApiError {
    return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${message}`, {
      name,
      kind,
    });
  }

  static methodNotAllowed(): ApiError {
    return new ApiError(
      405,
      "MethodNotAllowed",
      "the server does not allow this method on the requested resource",
    );
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, "BadRequest", message);
  }

  static gone(requested: string, oldest: number): ApiError {
    return new ApiError(410, "Expired", `too old resource version: ${requested} (${oldest})`);
  }
}
