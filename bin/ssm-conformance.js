#!/usr/bin/env node

// Entry point: loads the TypeScript CLI through ts-node with the package's own tsconfig, from any cwd.
const path = require("node:path");

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// Set in the environment (not passed to register()) so cucumber's requireModule of the same module and
// its parallel workers load TypeScript the same way.
process.env.TS_NODE_PROJECT = path.resolve(__dirname, "../tsconfig.json");
require("ts-node/register/transpile-only");

require("../support/cli/main.ts")
  .main(process.argv.slice(2))
  .then(
    (status) => process.exit(status),
    (error) => {
      console.error(error);
      process.exit(2);
    },
  );
