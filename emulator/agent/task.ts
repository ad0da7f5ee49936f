/** The session task the gateway hands the agent in interactive_shell, and what the agent reports back. */
import { z } from "zod";
import { ProtocolError } from "../../protocol";

const InnerPayload = z
  .object({
    SessionId: z.string().min(1),
    DocumentName: z.string().optional().default(""),
    DocumentContent: z.record(z.string(), z.unknown()),
    Parameters: z.record(z.string(), z.unknown()).optional().default({}),
    RunAsUser: z.string().optional().default(""),
    SessionOwner: z.string().optional().default(""),
  })
  .transform((p) => ({
    sessionId: p.SessionId,
    documentName: p.DocumentName,
    documentContent: p.DocumentContent,
    parameters: p.Parameters,
    /** Overrides the document's runAsDefaultUser when not blank. */
    runAsUser: p.RunAsUser,
    /** The caller's ARN: userIdentity.arn in streamed log events. */
    sessionOwner: p.SessionOwner,
  }));
export type SessionTask = z.output<typeof InnerPayload>;

export interface TaskResult {
  /** FinalTaskStatus: `Success` also for a cancelled shell (the agent reports it so). */
  status: "Success" | "Failed" | "Cancelled";
  /** Empty on success; the error text on failure (it reaches the client as channel_closed Output). */
  output: string;
  cwlGroup: string;
  cwlStream: string;
}

/** Parses interactive_shell: an outer JSON whose `Content` is the inner payload as a JSON string. */
export function parseInteractiveShell(payload: Buffer): SessionTask {
  try {
    const outer = JSON.parse(payload.toString("utf8")) as { Content?: unknown };
    if (typeof outer.Content !== "string") throw new Error("Content is not a JSON string");
    return InnerPayload.parse(JSON.parse(outer.Content));
  } catch (error) {
    throw new ProtocolError("bad-payload", "interactive_shell.Content", -1, (error as Error).message);
  }
}

/** agent_task_complete, keys in the order the real agent sends them (real-agent-observations.md #21). */
export function taskCompletePayload(
  sessionId: string,
  nodeId: string,
  result: TaskResult,
  retryNumber: number,
) {
  return {
    SchemaVersion: 1,
    TaskId: sessionId,
    Topic: "agent_task_complete",
    FinalTaskStatus: result.status,
    IsRoutingFailure: false,
    AwsAccountId: "",
    InstanceId: nodeId,
    Output: result.output,
    S3Bucket: "",
    S3UrlSuffix: "",
    CwlGroup: result.cwlGroup,
    CwlStream: result.cwlStream,
    RetryNumber: retryNumber,
  };
}
