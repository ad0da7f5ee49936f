// Build stage of docker/agent/Dockerfile: cuts package.json down to what the emulator needs at run time
// (the packages its sources import) plus the compiler, so the image installs neither the harness's nor the
// reports' dependencies. Versions still come from package-lock.json.
//
//   node docker/agent/image-package.js <source dir>...

const fs = require("node:fs");
const path = require("node:path");

const COMPILER = ["typescript", "@types/node"];

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return /\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) ? [file] : [];
  });
}

const imported = new Set();
for (const file of process.argv.slice(2).flatMap(sources)) {
  const text = fs.readFileSync(file, "utf8");
  for (const match of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)"([^".][^"]*)"/g)) {
    const spec = match[1];
    if (spec.startsWith("node:")) continue;
    const parts = spec.split("/");
    imported.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
  }
}

const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
const all = { ...pkg.devDependencies, ...pkg.dependencies };
const pick = (names) =>
  Object.fromEntries(
    names
      .filter((n) => all[n])
      .sort()
      .map((n) => [n, all[n]]),
  );
const missing = [...imported].filter((name) => !all[name]);
if (missing.length > 0) {
  console.error(`image-package: imported but not in package.json: ${missing.join(", ")}`);
  process.exit(1);
}
const types = [...imported].map((name) => `@types/${name.replace(/^@(.*)\//, "$1__")}`);
const trimmed = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  license: pkg.license,
  engines: pkg.engines,
  dependencies: pick([...imported]),
  devDependencies: pick([...COMPILER, ...types]),
};
fs.writeFileSync("package.json", `${JSON.stringify(trimmed, null, 2)}\n`);
console.log(`image-package: ${Object.keys(trimmed.dependencies).join(", ")}`);
