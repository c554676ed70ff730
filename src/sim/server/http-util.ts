/** Small helpers over node:http shared by the simulator's API handlers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../store/api-error.ts";

export const TABLE_ACCEPT = /as=Table/;

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string;
  contentType: string;
  raw: IncomingMessage;
  /** Set once the body has been read: as text, and as bytes for protobuf. */
  body?: string;
  bodyBytes?: Buffer;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function parseJsonBody(text: string): unknown {
  if (!text.trim()) throw ApiError.badRequest("the body of the request was empty");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.badRequest(
      `the body of the request could not be decoded: ${(e as Error).message}`,
    );
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  code: number,
  body: string,
  type = "text/plain",
): void {
  res.writeHead(code, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const api =
    err instanceof ApiError
      ? err
      : new ApiError(500, "InternalError", `Internal error occurred: ${(err as Error).message}`);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, api.code, api.toStatus());
}

export function statusSuccess(details?: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    ...(details ? { details } : {}),
  };
}

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw ApiError.badRequest(`invalid ${name}: ${v}`);
  return n;
}

export function isDryRun(q: URLSearchParams): boolean {
  const v = q.getAll("dryRun");
  for (const d of v) if (d !== "All") throw ApiError.badRequest(`unsupported dry run mode: ${d}`);
  return v.length > 0;
}
