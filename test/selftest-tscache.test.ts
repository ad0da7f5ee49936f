/** ts-node's TypeScript (tsconfig.json "ts-node".compiler): transpileModule behind a disk cache keyed by source and options. */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";

test("a cached transpile equals TypeScript's, hits on the same input and misses on any change", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "ssmc-tscache-"));
  process.env.SSMC_TS_CACHE_DIR = dir;
  const modulePath = require.resolve("../support/runtime/cachedTypescript.js");
  delete require.cache[modulePath];
  t.after(() => {
    delete process.env.SSMC_TS_CACHE_DIR;
    delete require.cache[modulePath];
    rmSync(dir, { recursive: true, force: true });
  });
  const cached = require(modulePath) as typeof ts;
  const options = {
    fileName: "/x/a.ts",
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: true },
    reportDiagnostics: true,
  };
  const source = "export const a: number = 1;\nexport type T = string;\n";
  const direct = ts.transpileModule(source, options);
  const first = cached.transpileModule(source, options);
  assert.equal(first.outputText, direct.outputText);
  assert.equal(first.sourceMapText, direct.sourceMapText);
  assert.equal(readdirSync(dir).length, 1);
  const second = cached.transpileModule(source, options);
  assert.deepEqual(
    [second.outputText, second.sourceMapText, second.diagnostics],
    [direct.outputText, direct.sourceMapText, []],
  );
  assert.equal(readdirSync(dir).length, 1, "a hit writes nothing");
  cached.transpileModule(source.replace("1", "2"), options);
  cached.transpileModule(source, { ...options, fileName: "/x/b.ts" });
  cached.transpileModule(source, {
    ...options,
    compilerOptions: { ...options.compilerOptions, target: ts.ScriptTarget.ES2020 },
  });
  assert.equal(readdirSync(dir).length, 4);
  // A syntax error is reported, and never cached.
  const broken = cached.transpileModule("export const = ;", options);
  assert.ok((broken.diagnostics ?? []).length > 0);
  assert.equal(readdirSync(dir).length, 4);
  // Everything else is TypeScript's own; the version tells ts-node to use transpileModule.
  assert.equal(cached.ScriptTarget, ts.ScriptTarget);
  assert.equal(cached.version, "4.6.99");
});
