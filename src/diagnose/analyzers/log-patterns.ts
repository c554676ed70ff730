/**
 * The decisive line of a crashed container's log and what it says. Applications announce why
 * they exit in a handful of stock phrasings (Go's flag package and panics, libpq, glibc/errno
 * strings, Node's ECONNREFUSED, Python tracebacks); the most specific match among the last lines
 * wins over a generic "error". Lines are redacted before they leave this module: a DSN or token
 * printed at start-up must not reach a finding.
 */
import { redactText } from "../../core/redact.ts";

export type LogCause =
  | "missing-env"
  | "connection-refused"
  | "dns"
  | "auth-failed"
  | "permission-denied"
  | "bad-flag"
  | "missing-file"
  | "out-of-memory"
  | "panic"
  | "error";

export interface LogVerdict {
  cause: LogCause;
  /** The redacted line. */
  line: string;
  /** The env var, host:port, flag or path the line names, when it names one. */
  detail?: string;
}

const ENV_NAME = "([A-Z][A-Z0-9_]{1,})";

const RULES: {
  cause: LogCause;
  re: RegExp;
  detail?: (m: RegExpExecArray) => string | undefined;
}[] = [
  {
    cause: "missing-env",
    re: new RegExp(
      `(?:environment variable|env(?:ironment)? var(?:iable)?|\\benv\\b)\\s+["'\`]?${ENV_NAME}["'\`]?\\s+(?:is\\s+)?(?:not set|missing|required|unset|undefined|empty)|\\b${ENV_NAME}\\s+(?:is required|is not set|must be set|not set)|missing (?:required )?(?:environment variable|env(?: var)?)[:\\s]+["']?${ENV_NAME}`,
    ),
    detail: (m) => m[1] ?? m[2] ?? m[3],
  },
  {
    cause: "connection-refused",
    re: /connection refused|ECONNREFUSED/i,
    detail: (m) => /([a-z0-9][\w.-]*:\d{2,5})\b/i.exec(m.input)?.[1],
  },
  {
    cause: "dns",
    re: /(?:lookup ([\w.-]+).*no such host|getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([\w.-]+)|Name or service not known|could not translate host name "?([\w.-]+)"?)/i,
    detail: (m) => m[1] ?? m[2] ?? m[3],
  },
  {
    cause: "auth-failed",
    re: /(?:password authentication failed|authentication failed|access denied for user|invalid credentials|401 Unauthorized)/i,
  },
  {
    cause: "permission-denied",
    re: /(?:open |mkdir |stat |exec )?("?[/\w.-]+"?)?:?\s*(?:permission denied|EACCES|operation not permitted|read-only file system)/i,
    detail: (m) => m[1]?.replaceAll('"', ""),
  },
  {
    cause: "bad-flag",
    re: /(?:flag provided but not defined: (-{1,2}[\w-]+)|(?:unknown|unrecognized|invalid) (?:flag|option|argument)[:\s]+'?(-{0,2}[\w-]+)'?|unknown shorthand flag: '(\w)')/i,
    detail: (m) => m[1] ?? m[2] ?? m[3],
  },
  {
    cause: "missing-file",
    re: /(?:open |stat |read |load(?:ing)? )"?([/\w.-]+)"?:? (?:no such file or directory|ENOENT)|ENOENT[^']*'([/\w.-]+)'/i,
    detail: (m) => m[1] ?? m[2],
  },
  {
    cause: "out-of-memory",
    re: /(?:out of memory|OutOfMemoryError|Cannot allocate memory|heap out of memory)/i,
  },
  {
    cause: "panic",
    re: /(?:^panic: |^fatal error: |Exception in thread|Unhandled(?:PromiseRejection)?|uncaught exception)/i,
  },
  { cause: "panic", re: /(?:Segmentation fault|SIGSEGV|Traceback \(most recent call last\))/i },
  {
    cause: "error",
    re: /\b(?:fatal|panic|error|exception|fail(?:ed|ure)?|refused|denied|cannot|unable|killed)\b/i,
  },
];

const TAIL = 50;

function matchRule(line: string): { v: LogVerdict; rank: number } | undefined {
  for (const [rank, rule] of RULES.entries()) {
    const m = rule.re.exec(line);
    if (!m) continue;
    const detail = rule.detail?.(m);
    return {
      v: { cause: rule.cause, line: redactText(line), ...(detail ? { detail } : {}) },
      rank,
    };
  }
  return undefined;
}

export function matchLine(line: string): LogVerdict | undefined {
  return matchRule(line)?.v;
}

/** The most specific line among the last lines; the last line when none matches. */
export function decisiveLog(log: string): LogVerdict | undefined {
  const lines = log
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-TAIL);
  let best: { v: LogVerdict; rank: number } | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const hit = matchRule(lines[i] as string);
    if (hit && (!best || hit.rank < best.rank)) best = hit;
  }
  if (best) return best.v;
  const last = lines[lines.length - 1];
  return last ? { cause: "error", line: redactText(last) } : undefined;
}

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  15: "SIGTERM",
};

/** Shells and runtimes report death by signal N as exit code 128+N. */
export function exitMeaning(code: number | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (code > 128 && code < 160) return `killed by ${SIGNALS[code - 128] ?? `signal ${code - 128}`}`;
  if (code === 126) return "command not executable";
  if (code === 127) return "command not found";
  return undefined;
}
