/** Running the ssm-conformance command as a user does: spawned, with what it wrote collected. */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
const BIN = path.join(ROOT, "bin/ssm-conformance.js");

export interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Default: the repository root. */
  cwd?: string;
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Called with the child once it is spawned (to signal it). */
  onSpawn?: (child: ChildProcess) => void;
}

export function cli(args: string[], { cwd = ROOT, env, onSpawn }: CliOptions = {}): Promise<Outcome> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
  onSpawn?.(child);
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
