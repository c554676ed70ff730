/**
 * Decodes the protobuf request bodies kubectl sends for built-in kinds
 * ("k8s\0" + runtime.Unknown{typeMeta, raw}) into the JSON object the store expects.
 * Only the kinds in schemas.ts are known; anything else is a 415 so the client can use JSON.
 * Go's proto2 marshaller writes empty strings and false booleans; they are dropped here as
 * JSON's omitempty would.
 */
import { ApiError } from "../../store/api-error.ts";
import type { KubeObject } from "../../store/types.ts";
import { MESSAGES } from "./schemas.ts";
import { readFields } from "./wire.ts";

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

function unsupported(what: string): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (${what})`,
  );
}

const text = (v: unknown) => Buffer.from(v as Uint8Array).toString("utf8");

function mapEntry(bytes: Uint8Array): [string, Uint8Array | number | undefined] {
  let key = "";
  let value: Uint8Array | number | undefined;
  for (const f of readFields(bytes)) {
    if (f.num === 1) key = text(f.value);
    if (f.num === 2) value = f.value;
  }
  return [key, value];
}

function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  const spec = MESSAGES[type];
  if (!spec) throw unsupported(type);
  const out: Record<string, unknown> = {};
  for (const f of readFields(bytes)) {
    const field = spec[f.num];
    if (!field) continue;
    const [name, kind] = field;
    const v = f.value;
    switch (kind) {
      case "s":
        if (text(v)) out[name] = text(v);
        break;
      case "i":
        out[name] = v as number;
        break;
      case "i0":
        if (v) out[name] = v as number;
        break;
      case "b":
        if (v) out[name] = true;
        break;
      case "bytes":
        out[name] = v;
        break;
      case "ss":
        out[name] = [...((out[name] as string[]) ?? []), text(v)];
        break;
      case "time":
        break; // the server sets timestamps itself
      case "ios":
        out[name] = decodeIntOrString(v as Uint8Array);
        break;
      case "map":
      case "mapb":
      case "mapq": {
        const [k, raw] = mapEntry(v as Uint8Array);
        const m = (out[name] as Record<string, string>) ?? {};
        if (kind === "map") m[k] = raw instanceof Uint8Array ? text(raw) : "";
        else if (kind === "mapb") m[k] = Buffer.from((raw as Uint8Array) ?? []).toString("base64");
        else m[k] = String(decodeQuantity(raw as Uint8Array));
        out[name] = m;
        break;
      }
      default: {
        const repeated = kind.endsWith("[]");
        const msg = decodeMessage(repeated ? kind.slice(0, -2) : kind, v as Uint8Array);
        if (repeated) out[name] = [...((out[name] as unknown[]) ?? []), msg];
        else if (Object.keys(msg).length > 0) out[name] = msg;
      }
    }
  }
  return out;
}

/** intstr.IntOrString: type 0 → intVal (2), type 1 → strVal (3). */
function decodeIntOrString(bytes: Uint8Array): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  for (const f of readFields(bytes)) {
    if (f.num === 1) type = f.value as number;
    if (f.num === 2) intVal = f.value as number;
    if (f.num === 3) strVal = text(f.value);
  }
  return type === 1 ? strVal : intVal;
}

function decodeQuantity(bytes: Uint8Array | undefined): string {
  for (const f of readFields(bytes ?? new Uint8Array())) if (f.num === 1) return text(f.value);
  return "0";
}

export function decodeProtobufObject(body: Uint8Array): KubeObject {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b))
    throw unsupported("missing k8s protobuf prefix");
  const unknown = decodeMessage("Unknown", body.subarray(4));
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const versioned = `${tm.kind}@${tm.apiVersion}`;
  const type = MESSAGES[versioned] ? versioned : (tm.kind ?? "");
  if (!MESSAGES[type] || !(unknown.raw instanceof Uint8Array)) {
    throw unsupported(`protobuf for ${tm.apiVersion ?? ""} ${tm.kind ?? "an unknown kind"}`);
  }
  const obj = decodeMessage(type, unknown.raw);
  return {
    apiVersion: tm.apiVersion ?? "",
    kind: tm.kind ?? "",
    ...obj,
    metadata: (obj.metadata as KubeObject["metadata"]) ?? {},
  };
}
