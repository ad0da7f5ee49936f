// Cucumber profiles. `npm run conformance` (bin/ssm-conformance.js) picks the profile for --target and
// points the formatters at --report-dir; `npx cucumber-js -p <profile>` works too.
// The AWS SDK's notice about its future Node requirement is noise in a test report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const common = {
  requireModule: ["ts-node/register/transpile-only"],
  require: ["support/cucumber/**/*.ts", "steps/**/*.ts"],
  paths: ["features/**/*.feature"],
  format: [
    "progress",
    "html:reports/cucumber.html",
    "junit:reports/junit.xml",
    "message:reports/messages.ndjson",
  ],
  formatOptions: { junit: { suiteName: "ssm-conformance" } },
};

module.exports = {
  default: { ...common, worldParameters: { target: "embedded" } },
  container: { ...common, worldParameters: { target: "container" } },
  // Real AWS: one session at a time, real minutes; scenarios that only make sense locally are left out.
  aws: { ...common, parallel: 0, tags: "not @local-only", worldParameters: { target: "aws" } },
  // Nightly: the aws profile, with every attempt recorded and a retry for latency outliers.
  nightly: {
    ...common,
    tags: "not @local-only",
    retry: 1,
    retryTagFilter: "@latency",
    worldParameters: { target: "aws" },
  },
};
