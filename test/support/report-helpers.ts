/** Spawning the ssm-conformance command and reading what it wrote, for the report tests. */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
const BIN = path.join(ROOT, "bin/ssm-conformance.js");

export interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[]): Promise<Outcome> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** Every file under a directory, as [path, text]. */
export function filesIn(dir: string): Array<[string, string]> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [file, readFileSync(file, "utf8")];
    });
}

/** A report without the instant it was generated at, to compare two builds of the same run. */
export function withoutGeneratedAt<T extends { generatedAt?: unknown }>(report: T): Omit<T, "generatedAt"> {
  const { generatedAt: _generatedAt, ...rest } = report;
  return rest;
}
