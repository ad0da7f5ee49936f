/** Recognising AWS's answers the aws target acts on: access denied, and the action it names. */

/** AccessDeniedException (JSON services) or AccessDenied (STS, query protocol). */
export function isAccessDenied(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === "AccessDeniedException" || name === "AccessDenied";
}

/**
 * The IAM action a denial names ("... is not authorized to perform: ssm:AddTagsToResource on resource
 * ..."); `fallback` (the action called) when the message does not say.
 */
export function deniedAction(error: unknown, fallback: string): string {
  const message = (error as { message?: string } | undefined)?.message ?? "";
  return /perform: ([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1] ?? fallback;
}

/** The first line of an error's message, with its name when the message does not start with it. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const line = error.message.split("\n")[0] ?? "";
  return error.name && error.name !== "Error" && !line.startsWith(error.name)
    ? `${error.name}: ${line}`
    : line;
}

/** An action the caller may not perform; node discovery and the preflight record it instead of failing. */
export class PermissionDenied extends Error {
  constructor(
    readonly action: string,
    cause: unknown,
  ) {
    super(`missing permission ${action}`, { cause });
  }
}
