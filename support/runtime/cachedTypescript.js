/**
 * The `typescript` module with a disk cache in front of `transpileModule`: ts-node's compiler for every run
 * (tsconfig.json "ts-node".compiler). The tests, the self-test and the benchmarks start dozens of ts-node
 * processes, and each would otherwise transpile the same sources again (most of a start's CPU time). Entries are keyed by the TypeScript version, the compiler
 * options, the file name and the source text, so an edit is a miss, never a stale hit. Plain JavaScript:
 * it is loaded before ts-node registers.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const cacheDir =
  process.env.SSMC_TS_CACHE_DIR ?? path.join(__dirname, "../../node_modules/.cache/ssm-conformance-ts");

const cached = Object.create(ts);
// ts-node (10.9) transpiles with its own copy of transpileModule for TypeScript >= 4.7, to support per-file
// module kinds (ESM); this project emits CommonJS only, so it may use transpileModule, which is cached here.
Object.defineProperty(cached, "version", { value: "4.6.99" });

function transpileModule(input, options) {
  if (options.transformers) return ts.transpileModule(input, options);
  const key = crypto
    .createHash("sha256")
    .update(`${ts.version}\0${JSON.stringify(options.compilerOptions)}\0${options.fileName}\0${input}`)
    .digest("hex");
  const file = path.join(cacheDir, `${key}.json`);
  try {
    const hit = JSON.parse(fs.readFileSync(file, "utf8"));
    return { outputText: hit.outputText, sourceMapText: hit.sourceMapText, diagnostics: [] };
  } catch {
    // A miss (or an unreadable entry): transpile.
  }
  const result = ts.transpileModule(input, options);
  if ((result.diagnostics ?? []).length === 0) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(
        temporary,
        JSON.stringify({ outputText: result.outputText, sourceMapText: result.sourceMapText }),
      );
      fs.renameSync(temporary, file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
  return result;
}

// Defined, not assigned: the module's exports are getters, which an assignment would not override.
Object.defineProperty(cached, "transpileModule", { value: transpileModule });

module.exports = cached;
