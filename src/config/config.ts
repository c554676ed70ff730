/**
 * The one configuration schema, parsed once at start-up. This is the only module that reads
 * `process.env`; everything else receives a `Config` value.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { OpsloopError } from "../core/errors.ts";

export const ConfigSchema = z
  .object({
    /** Kubeconfig file; when absent the in-cluster service account or ~/.kube/config is used. */
    kubeconfig: z.string().optional(),
    /** SQLite database file, or ":memory:". */
    db: z.string().default(":memory:"),
    /** Prometheus exposition endpoint to scrape (defaults to `<api-url>/metrics`). */
    metricsUrl: z.string().url().optional(),
    /** Agent evaluation interval in wall milliseconds. */
    tickMs: z.number().int().positive().default(1000),
    /** Guardrail policy file (YAML); the built-in default policy when absent. */
    policyFile: z.string().optional(),
    /** Root of the shared benchmark/scenario data (default: ../shared/datasets beside the repo). */
    datasetsDir: z.string().optional(),
    /** The NAB corpus (default: `<datasetsDir>/nab`). */
    nabDir: z.string().optional(),
    /** OpenAI-compatible endpoint (Ollama, vLLM, ...) for the optional LLM investigator; off when absent. */
    llmBaseUrl: z.string().url().optional(),
    llmModel: z.string().optional(),
    llmApiKey: z.string().optional(),
    /** The investigator's budgets: model calls per incident (8) and output tokens per call (1024). */
    llmMaxSteps: z.coerce.number().int().positive().max(50).optional(),
    llmMaxOutputTokens: z.coerce.number().int().positive().max(32_000).optional(),
    /** Incident notifications: a generic JSON webhook and a Slack-compatible incoming webhook. */
    notifyWebhookUrl: z.string().url().optional(),
    notifySlackUrl: z.string().url().optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

const ENV_KEYS: Record<string, keyof Config> = {
  KUBECONFIG: "kubeconfig",
  OPSLOOP_DB: "db",
  OPSLOOP_METRICS_URL: "metricsUrl",
  OPSLOOP_POLICY: "policyFile",
  OPSLOOP_DATASETS: "datasetsDir",
  OPSLOOP_NAB_DIR: "nabDir",
  OPSLOOP_LLM_BASE_URL: "llmBaseUrl",
  OPSLOOP_LLM_MODEL: "llmModel",
  OPSLOOP_LLM_API_KEY: "llmApiKey",
  OPSLOOP_LLM_MAX_STEPS: "llmMaxSteps",
  OPSLOOP_LLM_MAX_OUTPUT_TOKENS: "llmMaxOutputTokens",
  OPSLOOP_NOTIFY_WEBHOOK: "notifyWebhookUrl",
  OPSLOOP_NOTIFY_SLACK: "notifySlackUrl",
};

/** Merges environment defaults under explicit overrides and validates, listing every problem. */
export function loadConfig(
  overrides: Partial<Record<keyof Config, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const fromEnv: Record<string, unknown> = {};
  for (const [envKey, key] of Object.entries(ENV_KEYS)) {
    const v = env[envKey];
    if (v !== undefined && v !== "") fromEnv[key] = v;
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const parsed = ConfigSchema.safeParse({ ...fromEnv, ...defined });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join(".") || "config"}: ${i.message}`,
    );
    throw new OpsloopError("invalid_input", `invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** Benchmark data live beside the repo (../shared/datasets), never inside it. */
export function datasetsDir(config: Config = loadConfig()): string {
  return config.datasetsDir ?? fileURLToPath(new URL("../../../shared/datasets", import.meta.url));
}

/** The NAB corpus folder (data, labels, profiles, reference results). */
export function nabDir(config: Config = loadConfig()): string {
  return config.nabDir ?? join(datasetsDir(config), "nab");
}
