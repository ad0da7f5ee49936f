/** Reading what the ssm-conformance command wrote, for the report tests. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

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
