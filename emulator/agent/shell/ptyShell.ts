import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { type IPty, spawn } from "node-pty";
import { type Logger, silentLogger } from "../../logger";
import { OutputPump, type Pacing } from "./outputPump";
import { resolveIdentity, type ShellIdentity } from "./runAs";

export interface PtyShellOptions {
  /** Receives the pty output in chunks (the data channel's output_stream_data payloads), in order. */
  onChunk: (chunk: Buffer) => void;
  /** Run As user; unset runs as this process's user. */
  runAsUser?: string;
  /** Base environment of the shell (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Initial pty size until the client's first resize (the plugin sends one right away). */
  cols?: number;
  rows?: number;
  initialDelayMs?: number;
  maxChunkBytes?: number;
  pacing?: Pacing;
  readAheadBytes?: number;
  logger?: Logger;
}

export interface ShellExit {
  exitCode: number;
  /** Signal number that ended the shell, if any (9 after kill()). */
  signal?: number;
}

/**
 * `sh` in a pty as the agent's shell plugin runs it for Standard_Stream sessions (spec 10.1, 10.5): TERM
 * xterm-256color, LANG C.UTF-8 unless set, the Run As user's identity and HOME, cwd HOME (or / when that
 * does not exist). Output goes through an OutputPump; input is written verbatim.
 */
export class PtyShell {
  /** Resolves when the shell process has ended and its pty is closed. */
  readonly exited: Promise<ShellExit>;
  /**
   * Resolves when every byte read before the pty closed has been delivered (or dropped by kill()): the
   * agent's "write pump done", after which a session that ended by itself is finished. While paused it waits.
   * node-pty closes the pty at most 200 ms after the shell exits, even if a background job still holds it
   * open (the agent would keep reading until that job ends too).
   */
  readonly outputDone: Promise<void>;

  private closed = false;

  private constructor(
    private readonly pty: IPty,
    private readonly pump: OutputPump,
    private readonly identity: ShellIdentity,
    private readonly logger: Logger,
  ) {
    this.outputDone = pump.done;
    this.exited = new Promise((resolve) => {
      pty.onExit(({ exitCode, signal }) => {
        // node-pty reports exit only after its socket closed, so no output follows.
        this.closed = true;
        pump.end();
        resolve(signal ? { exitCode, signal } : { exitCode });
      });
    });
    pty.onData((data: string | Buffer) => pump.push(typeof data === "string" ? Buffer.from(data) : data));
  }

  /** Starts the shell. Rejects with RunAsUserError when the Run As user cannot be used. */
  static async start(options: PtyShellOptions): Promise<PtyShell> {
    const logger = options.logger ?? silentLogger;
    const identity = await resolveIdentity(options.runAsUser);
    const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), TERM: "xterm-256color" };
    if (!env["LANG"]) env["LANG"] = "C.UTF-8";
    if (identity.home !== undefined) env["HOME"] = identity.home;
    const home = env["HOME"];
    const cwd = home !== undefined && isDirectory(home) ? home : "/";
    const [file, args, ids] = command(identity, logger);
    const pty = spawn(file, args, {
      name: "xterm-256color",
      cols: options.cols ?? 80,
      rows: options.rows ?? 24,
      cwd,
      env,
      encoding: null,
      ...ids,
    });
    const pump = new OutputPump({
      onChunk: options.onChunk,
      source: pty,
      initialDelayMs: options.initialDelayMs,
      maxChunkBytes: options.maxChunkBytes,
      pacing: options.pacing,
      readAheadBytes: options.readAheadBytes,
    });
    logger.debug(`shell pid ${pty.pid} started as ${identity.user} in ${cwd}`);
    return new PtyShell(pty, pump, identity, logger);
  }

  get pid(): number {
    return this.pty.pid;
  }

  /** The OS user the shell runs as (what `whoami` prints): the Run As user, or this process's user. */
  get user(): string {
    return this.identity.user;
  }

  get paused(): boolean {
    return this.pump.paused;
  }

  /** Input bytes (input_stream_data Output payloads), written verbatim. Ignored once the pty is closed. */
  write(data: Buffer | string): void {
    if (this.closed) {
      this.logger.debug("write after the pty closed: dropped");
      return;
    }
    this.pty.write(data);
  }

  /** Applies a Size payload. Values are cut to uint16 as the agent does; a zero dimension is ignored. */
  resize(cols: number, rows: number): void {
    const c = Math.trunc(cols) & 0xffff;
    const r = Math.trunc(rows) & 0xffff;
    if (c === 0 || r === 0 || this.closed) return;
    this.pty.resize(c, r);
  }

  /** Stops delivering output (pause_publication); the shell blocks once the read-ahead is full. */
  pause(): void {
    this.pump.pause();
  }

  resume(): void {
    this.pump.resume();
  }

  /** Types the Linux shell profile followed by a newline, unless it is blank (as the agent does). */
  typeProfile(profile: string): void {
    if (profile.trim() !== "") this.write(`${profile}\n`);
  }

  /**
   * Cancels the shell as the agent does on TerminateSession: SIGKILL to the direct child only, undelivered
   * output dropped, then the pty closes (its hang-up signals the foreground job; background jobs may live on).
   */
  async kill(): Promise<ShellExit> {
    this.pump.stop();
    if (!this.closed) {
      try {
        process.kill(this.pty.pid, "SIGKILL");
      } catch (err) {
        this.logger.debug(`kill ${this.pty.pid}: ${String(err)}`);
      }
    }
    return this.exited;
  }
}

/** The program to spawn for an identity, with the uid/gid node-pty should switch to (if any). */
function command(
  identity: ShellIdentity,
  logger: Logger,
): [string, string[], { uid?: number; gid?: number }] {
  if (identity.uid === undefined || identity.gid === undefined) return ["sh", [], {}];
  // node-pty's setuid/setgid would keep root's supplementary groups; setpriv sets the user's own groups,
  // as the agent does, and then execs sh in place (so the direct child is still sh).
  const setpriv = findOnPath("setpriv");
  if (setpriv !== undefined) {
    const ids = ["--reuid", String(identity.uid), "--regid", String(identity.gid), "--init-groups"];
    return [setpriv, [...ids, "--", "sh"], {}];
  }
  logger.warn("setpriv not found: the Run As shell keeps this process's supplementary groups");
  return ["sh", [], { uid: identity.uid, gid: identity.gid }];
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
