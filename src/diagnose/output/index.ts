/** One entry point for the renderers: `--output table|json|markdown|sarif`. */
import { buildReport, type DiagnoseReport, sortFindings } from "./report.ts";
import { renderSarif } from "./sarif.ts";
import { renderMarkdown, renderTable } from "./text.ts";

export const OUTPUT_FORMATS = ["table", "json", "markdown", "sarif"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function render(
  report: DiagnoseReport,
  format: OutputFormat,
  opts: { colour?: boolean; toolVersion?: string } = {},
): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (format === "sarif")
    return `${JSON.stringify(renderSarif(report, opts.toolVersion), null, 2)}\n`;
  if (format === "markdown") return renderMarkdown(report);
  return renderTable(report, opts);
}

export { buildReport, type DiagnoseReport, renderSarif, sortFindings };
