#!/usr/bin/env node
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18), so there is no build step.
import("../src/interfaces/cli/main.ts").then((m) => m.main(process.argv));
