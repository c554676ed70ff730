/**
 * Reads manifests for `opsloop scan`: `*.yaml|*.yml|*.json` found recursively under the given
 * paths, every document of a multi-document YAML stream, every item of a `List` kind, each with
 * the line it starts on (the `yaml` package's ranges; JSON is parsed by the same parser, as JSON
 * is YAML 1.2 flow syntax). Helm templates (`{{ }}`) and kustomization files are not Kubernetes
 * objects until rendered, so they are skipped with a note saying how to scan them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { isMap, isSeq, LineCounter, parseAllDocuments } from "yaml";
import { OpsloopError } from "../core/errors.ts";
import type { ManifestDoc, ManifestObject, ScanNote } from "./types.ts";

const EXT = /\.(ya?ml|json)$/i;
const KUSTOMIZATION = /^(kustomization\.ya?ml|Kustomization)$/;

export interface LoadedManifests {
  /** Absolute directory the file names are relative to. */
  root: string;
  docs: ManifestDoc[];
  notes: ScanNote[];
  files: number;
}

/** Every manifest file under `paths` (files named directly are taken whatever their extension). */
export function manifestFiles(paths: string[]): { root: string; files: string[] } {
  if (!paths.length) throw new OpsloopError("invalid_input", "name a directory or file to scan");
  const files: string[] = [];
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(abs);
    } catch {
      throw new OpsloopError("invalid_input", `no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      dirs.push(abs);
      walk(abs, files);
    } else {
      dirs.push(dirname(abs));
      files.push(abs);
    }
  }
  return { root: commonDir(dirs), files: [...new Set(files)].sort() };
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    // .git, .github and friends hold no manifests to deploy; node_modules holds other people's.
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && EXT.test(e.name)) out.push(p);
  }
}

function commonDir(dirs: string[]): string {
  let parts = (dirs[0] ?? ".").split(sep);
  for (const d of dirs.slice(1)) {
    const other = d.split(sep);
    let i = 0;
    while (i < parts.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join(sep) || sep;
}

export function loadManifests(paths: string[]): LoadedManifests {
  const { root, files } = manifestFiles(paths);
  const docs: ManifestDoc[] = [];
  const notes: ScanNote[] = [];
  for (const abs of files) {
    const file = relative(root, abs).split(sep).join("/") || basename(abs);
    const parsed = parseManifests(readFileSync(abs, "utf8"), file);
    docs.push(...parsed.docs);
    notes.push(...parsed.notes);
  }
  return { root, docs, notes, files: files.length };
}

/** Parses one file's text; `file` is only the name findings will carry. */
export function parseManifests(
  text: string,
  file: string,
): { docs: ManifestDoc[]; notes: ScanNote[] } {
  const docs: ManifestDoc[] = [];
  const notes: ScanNote[] = [];
  if (KUSTOMIZATION.test(basename(file)))
    return {
      docs,
      notes: [{ file, note: "kustomization skipped: scan the output of `kustomize build`" }],
    };
  if (text.includes("{{"))
    return {
      docs,
      notes: [{ file, note: "Helm template skipped: scan the output of `helm template`" }],
    };
  const lines = new LineCounter();
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lines.linePos(start).line;
    if (doc.errors.length) {
      notes.push({ file, line, note: `not valid YAML: ${doc.errors[0]?.message.split("\n")[0]}` });
      continue;
    }
    const obj = doc.toJS() as unknown;
    if (obj === null || obj === undefined) continue;
    if (!isObject(obj)) {
      notes.push({ file, line, note: "not a Kubernetes object (no apiVersion/kind)" });
      continue;
    }
    if (obj.kind === "Kustomization") {
      notes.push({
        file,
        line,
        note: "kustomization skipped: scan the output of `kustomize build`",
      });
      continue;
    }
    if (obj.kind?.endsWith("List") && Array.isArray(obj.items)) {
      const seq = isMap(doc.contents) ? doc.contents.get("items", true) : undefined;
      obj.items.forEach((item: unknown, i: number) => {
        const node = isSeq(seq) ? seq.items[i] : undefined;
        const at = (node as { range?: [number] } | undefined)?.range?.[0];
        const itemLine = at === undefined ? line : lines.linePos(at).line;
        if (isObject(item)) docs.push({ file, line: itemLine, obj: item });
        else notes.push({ file, line: itemLine, note: "List item is not a Kubernetes object" });
      });
      continue;
    }
    docs.push({ file, line, obj });
  }
  return { docs, notes };
}

function isObject(v: unknown): v is ManifestObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.kind === "string" && typeof o.apiVersion === "string";
}
