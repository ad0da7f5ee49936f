// The sources of the agent image, as one hash: sha256 over the path and contents of every file it is built
// from. The build stage writes it to /opt/ssm-conformance/SOURCE_HASH; the container target compares it with
// the checkout's, so a run on an image built from other sources says so.
//
//   node docker/agent/source-hash.js      (from the repository root)

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const FILES = ["package.json", "package-lock.json", "tsconfig.json"];
const DIRS = ["emulator", "protocol", "docker/agent"];

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? walk(file) : entry.isFile() ? [file] : [];
  });
}

const hash = crypto.createHash("sha256");
for (const file of [...FILES, ...DIRS.flatMap(walk)].sort()) {
  hash.update(`${file}\0`);
  hash.update(fs.readFileSync(file));
  hash.update("\0");
}
process.stdout.write(`${hash.digest("hex")}\n`);
