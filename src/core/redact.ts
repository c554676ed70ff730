/**
 * Secret redaction for everything opsloop prints, stores or hands to a model: findings, plans,
 * audit records, tool outputs, log excerpts. Two layers: `redactText` masks secret-looking
 * substrings in free text (cloud keys, tokens, `password=...` pairs, private keys), and
 * `redactObject` additionally blanks Secret data, key-like env values and ConfigMap values under
 * key-like names in Kubernetes objects.
 * Patterns follow gitleaks' common rules; a false positive costs a masked word, a false
 * negative leaks a credential, so the patterns err on masking.
 */

export const REDACTED = "[REDACTED]";

const TEXT_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // scheme://user:password@host
  /(?<=[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(?=@)/gi,
];

/** `password=hunter2`, `"apiKey": "..."`, `AWS_SECRET_ACCESS_KEY: ...`: the value after a key-like name. */
const KEY_VALUE =
  /(\b[\w.-]*(?:passw(?:or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)[\w.-]*["']?\s*[:=]\s*["']?)([^\s"',;}&]+)/gi;

const KEY_LIKE_NAME =
  /(passw(or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|dsn|connection[_-]?string)/i;

export function redactText(text: string): string {
  let out = text;
  for (const p of TEXT_PATTERNS) out = out.replace(p, REDACTED);
  return out.replace(KEY_VALUE, (_m, key: string, value: string) =>
    value === REDACTED ? `${key}${value}` : `${key}${REDACTED}`,
  );
}

/** True when a name (env var, config key, header) says its value is a credential. */
export function isSecretName(name: string): boolean {
  return KEY_LIKE_NAME.test(name);
}

/**
 * A deep copy with secrets removed: `data`/`stringData` of Secret objects, values of env vars
 * whose name is key-like, and secret-looking substrings in every string.
 */
export function redactObject<T>(value: T): T {
  return walk(value, false) as T;
}

function walk(v: unknown, inSecret: boolean): unknown {
  if (typeof v === "string") return redactText(v);
  if (Array.isArray(v)) return v.map((x) => walk(x, inSecret));
  if (!v || typeof v !== "object") return v;
  const obj = v as Record<string, unknown>;
  const isSecret = inSecret || obj.kind === "Secret" || obj.kind === "SecretList";
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(obj)) {
    if (isSecret && (k === "data" || k === "stringData") && x && typeof x === "object") {
      out[k] = Object.fromEntries(Object.keys(x).map((key) => [key, REDACTED]));
    } else if (
      obj.kind === "ConfigMap" &&
      (k === "data" || k === "binaryData") &&
      x &&
      typeof x === "object"
    ) {
      // ConfigMaps often hold credentials by mistake: mask values under key-like names.
      out[k] = Object.fromEntries(
        Object.entries(x).map(([key, val]) => [
          key,
          isSecretName(key) ? REDACTED : walk(val, false),
        ]),
      );
    } else if (k === "env" && Array.isArray(x)) {
      out[k] = x.map(redactEnvVar);
    } else if (k === "kubectl.kubernetes.io/last-applied-configuration" && isSecret) {
      out[k] = REDACTED;
    } else {
      out[k] = walk(x, isSecret && k === "items");
    }
  }
  return out;
}

function redactEnvVar(e: unknown): unknown {
  if (!e || typeof e !== "object") return e;
  const env = e as { name?: unknown; value?: unknown };
  if (typeof env.name === "string" && typeof env.value === "string" && isSecretName(env.name))
    return { ...(walk(env, false) as object), value: REDACTED };
  return walk(env, false);
}
