/**
 * `scan_manifests`: the offline manifest checks of `opsloop scan` as a read-only tool. Input is
 * manifest text, or a path under the context's scan root (the working directory by default):
 * a model must not read files elsewhere on the machine, so the real path (symlinks resolved)
 * must lie under the root. The answer fits the byte budget; `truncated` says when it was cut.
 */
import { realpathSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { z } from "zod";
import { OpsloopError } from "../core/errors.ts";
import { redactText } from "../core/redact.ts";
import { scanReport } from "../scan/output.ts";
import { atOrAbove, scanPaths, scanText } from "../scan/scan.ts";
import type { ScanResult } from "../scan/types.ts";
import { DEFAULT_MAX_BYTES, fitItems } from "./budget.ts";
import type { ToolContext } from "./context.ts";
import { defineTool, type Tool } from "./registry.ts";
import { ObjectRefSchema } from "./schemas.ts";

const SEVERITY = z.enum(["info", "warning", "critical"]);

const ScanFindingSchema = z.object({
  file: z.string(),
  line: z.number(),
  object: ObjectRefSchema,
  rule: z.string(),
  severity: SEVERITY,
  message: z.string(),
  fix: z.object({ description: z.string(), patch: z.unknown().optional() }),
});

const inside = (root: string, p: string) => p === root || p.startsWith(`${root}${sep}`);

function underRoot(ctx: ToolContext, path: string): string {
  const root = realpathSync(resolve(ctx.scanRoot ?? process.cwd()));
  const outside = () =>
    new OpsloopError(
      "denied",
      `${path} is outside the scan root; pass the manifests as text instead`,
    );
  // Judged on the path as written first, so nothing outside the root is even probed for existence.
  const lexical = resolve(root, path);
  if (!inside(root, lexical)) throw outside();
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw new OpsloopError(
      "invalid_input",
      `no such file or directory under the scan root: ${path}`,
    );
  }
  // A symlink inside the root is judged by where it leads.
  if (!inside(root, real)) throw outside();
  return real;
}

function scan(ctx: ToolContext, input: { manifests?: string; path?: string }): ScanResult {
  if (input.manifests !== undefined) return scanText(input.manifests);
  const real = underRoot(ctx, input.path as string);
  const result = scanPaths([real]);
  // Names relative to the scan root, not the machine's absolute paths.
  const prefix = relative(realpathSync(resolve(ctx.scanRoot ?? process.cwd())), result.root);
  const name = (f: string) => (prefix ? `${prefix.split(sep).join("/")}/${f}` : f);
  return {
    ...result,
    findings: result.findings.map((f) => ({ ...f, file: name(f.file) })),
    notes: result.notes.map((n) => ({ ...n, file: name(n.file) })),
  };
}

const scanManifests = defineTool({
  name: "scan_manifests",
  title: "Scan Kubernetes manifests",
  description:
    "Offline security and reliability checks of Kubernetes manifests (YAML or JSON, multi-document, List kinds): root, privileged, privilege escalation, capabilities, host namespaces and paths, read-only root filesystem, requests and memory limits, probes behind a Service, :latest images, PDBs, HPAs without requests, Services selecting nothing, missing Ingress backends and ConfigMap/Secret references. Each finding has file, line, rule, severity, message and a fix (strategic-merge patch and prose). Give `manifests` (text) or `path` (a file or directory under the scan root).",
  input: z
    .object({
      manifests: z
        .string()
        .max(1_000_000)
        .optional()
        .describe("Manifest text: YAML (multi-document) or JSON"),
      path: z
        .string()
        .min(1)
        .optional()
        .describe("File or directory under the scan root (the working directory)"),
      minSeverity: SEVERITY.default("info").describe("Leave out findings below this severity"),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict()
    .refine((i) => (i.manifests === undefined) !== (i.path === undefined), {
      message: "give exactly one of manifests or path",
    }),
  output: z.object({
    files: z.number(),
    objects: z.number(),
    summary: z.object({
      total: z.number(),
      critical: z.number(),
      warning: z.number(),
      info: z.number(),
    }),
    findings: z.array(ScanFindingSchema),
    notes: z.array(z.object({ file: z.string(), line: z.number().optional(), note: z.string() })),
    truncated: z.boolean(),
  }),
  annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  run: async (ctx, input) => {
    const report = scanReport(scan(ctx, input));
    // Messages quote manifest text (env names, paths): redact anything key-like before a model reads it.
    const kept = atOrAbove(report.findings, input.minSeverity).map((f) => ({
      ...f,
      message: redactText(f.message),
    }));
    const findings = fitItems(kept, input.limit, DEFAULT_MAX_BYTES);
    return {
      files: report.files,
      objects: report.objects,
      summary: report.summary,
      findings,
      notes: report.notes.slice(0, 50),
      truncated: findings.length < kept.length || report.notes.length > 50,
    };
  },
});

export const SCAN_TOOLS: Tool[] = [scanManifests];
