/**
 * The container target's own reaper. testcontainers' reaper (Ryuk) is an image, and no registry may be
 * reachable, so the target runs with TESTCONTAINERS_RYUK_DISABLED=true and starts this small detached process
 * instead. It holds a pipe from the harness: when the pipe closes without a "done" (the harness exited however
 * it did: a second Ctrl-C, a crash, SIGKILL) it force-removes every container labelled with the run's id.
 * After a clean dispose the harness writes "done" and it exits with nothing to do.
 *
 *   node --require ts-node/register/transpile-only support/targets/containerReaper.ts <run id>
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import type { Socket } from "node:net";

/** Every container of a run carries this label; its value is the run id. */
export const RUN_ID_LABEL = "ssm-conformance.run-id";
/** What the container is in the stack: `agent` or `localstack`. */
export const ROLE_LABEL = "ssm-conformance.role";

/**
 * How testcontainers is used here, set before it is loaded (explicit settings win):
 * - TESTCONTAINERS_RYUK_DISABLED: its reaper is an image (testcontainers/ryuk) that cannot be pulled without
 *   a registry; the target cleans up after itself (dispose, an exit handler, the reaper below).
 * - TESTCONTAINERS_HOST_OVERRIDE: the containers use host networking on a local engine, so the host is
 *   127.0.0.1. Without it, testcontainers running inside a container (/.dockerenv) looks up the engine's
 *   `bridge` network, which an engine started with --bridge=none does not have, and gives up.
 */
export function configureTestcontainers(env: NodeJS.ProcessEnv = process.env): void {
  env["TESTCONTAINERS_RYUK_DISABLED"] ??= "true";
  env["TESTCONTAINERS_HOST_OVERRIDE"] ??= "127.0.0.1";
}

/** Force-removes the run's containers through the Docker API; returns their ids. */
export async function removeRunContainers(runId: string): Promise<string[]> {
  configureTestcontainers();
  const { getContainerRuntimeClient } = await import("testcontainers");
  const { dockerode } = (await getContainerRuntimeClient()).container;
  const found = await dockerode.listContainers({
    all: true,
    filters: { label: [`${RUN_ID_LABEL}=${runId}`] },
  });
  await Promise.all(
    found.map((c) =>
      dockerode
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  return found.map((c) => c.Id);
}

/**
 * The same, synchronously, for a process `exit` handler (a second Ctrl-C exits at once): the docker CLI
 * when there is one. The detached reaper covers the rest.
 */
export function removeContainersNow(ids: readonly string[]): void {
  if (ids.length === 0) return;
  spawnSync("docker", ["rm", "--force", "--volumes", ...ids], { stdio: "ignore", timeout: 15_000 });
}

export interface ReaperHandle {
  /** The run cleaned up after itself: the reaper exits without removing anything. */
  release(): void;
}

/** Starts the detached reaper for a run. It outlives this process only long enough to clean up. */
export function startReaper(runId: string): ReaperHandle {
  const typescript = __filename.endsWith(".ts");
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(typescript ? ["--require", require.resolve("ts-node/register/transpile-only")] : []),
      __filename,
      runId,
    ],
    // Its own process group: the terminal's Ctrl-C reaches the harness, not the reaper.
    { detached: true, stdio: ["pipe", "ignore", "ignore"], env: process.env },
  );
  child.unref();
  (child.stdin as Socket | null)?.unref();
  child.stdin?.on("error", () => undefined);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      child.stdin?.end("done\n");
    },
  };
}

async function main(runId: string | undefined): Promise<void> {
  if (!runId) {
    process.stderr.write("usage: containerReaper <run id>\n");
    process.exit(2);
  }
  // It must outlive the harness: the terminal's hang-up and interrupts are not for it.
  for (const signal of ["SIGINT", "SIGHUP", "SIGPIPE"] as const) process.on(signal, () => undefined);
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    input += chunk;
  });
  await new Promise<void>((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
    process.stdin.on("error", () => resolve());
  });
  if (!input.includes("done")) await removeRunContainers(runId).catch(() => undefined);
  process.exit(0);
}

if (require.main === module) {
  void main(process.argv[2]);
}
