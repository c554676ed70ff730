/** Test support: Debian's chromium driven by playwright-core, and where screenshots go. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const ARTIFACTS = new URL("../../../test-artifacts/", import.meta.url).pathname;

export async function launchBrowser(): Promise<Browser> {
  // Root in a container has no user namespace for chromium's sandbox.
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
