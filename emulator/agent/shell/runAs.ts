import { execFile } from "node:child_process";
import { userInfo } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The OS identity a session shell runs as. uid/gid are set only when switching to a Run As user. */
export interface ShellIdentity {
  /** What `whoami` prints in the shell. */
  user: string;
  /** HOME for the shell; undefined keeps the inherited one. */
  home: string | undefined;
  uid?: number;
  gid?: number;
}

/** The agent's failure to start the pty for a Run As user (it becomes the session's failure output). */
export class RunAsUserError extends Error {
  override readonly name = "RunAsUserError";

  constructor(
    readonly user: string,
    /** Why: the user is unknown, or this process cannot switch users because it is not root. */
    readonly reason: "unknown-user" | "not-root",
  ) {
    super(`failed to start pty since RunAs user ${user} does not exist`);
  }
}

/**
 * Resolves who the shell runs as. Without a Run As user it is this process's user (the agent in container
 * mode, or not running as root). With one, the process must be root and the user must exist; uid/gid come
 * from `id -u`/`id -g` as in the agent, HOME from the passwd entry. (The agent itself sets the literal
 * `HOME=/home/<user>`; the two only differ for users whose home lies elsewhere.)
 */
export async function resolveIdentity(runAsUser: string | undefined): Promise<ShellIdentity> {
  if (runAsUser === undefined || runAsUser.trim() === "") {
    return { user: userInfo().username, home: undefined };
  }
  if (process.getuid?.() !== 0) throw new RunAsUserError(runAsUser, "not-root");
  try {
    const [uid, gid, passwd] = await Promise.all([
      run("id", ["-u", "--", runAsUser]),
      run("id", ["-g", "--", runAsUser]),
      run("getent", ["passwd", runAsUser]),
    ]);
    const home = passwd.stdout.trim().split(":")[5];
    return {
      user: runAsUser,
      home: home || undefined,
      uid: Number.parseInt(uid.stdout, 10),
      gid: Number.parseInt(gid.stdout, 10),
    };
  } catch {
    throw new RunAsUserError(runAsUser, "unknown-user");
  }
}
