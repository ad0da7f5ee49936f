/** The service's record of one session: what DescribeSessions reports and what the gateway enforces. */
import type { SessionPreferences } from "../ssm/documents";

export type SessionStatus =
  | "Connecting"
  | "Connected"
  | "Disconnected"
  | "Terminating"
  | "Terminated"
  | "Failed";

/** Why the service ended a session; decides the channel_closed Output text the client sees. */
export type EndCause =
  | "shell-exit"
  | "terminate-api"
  | "idle-timeout"
  | "max-duration"
  | "agent-failure"
  | "stack-stop";

export interface SessionRecord {
  sessionId: string;
  target: string;
  documentName: string;
  /** ARN of the caller that started the session (Session.Owner, and userIdentity.arn in log events). */
  owner: string;
  reason?: string;
  status: SessionStatus;
  startDate: Date;
  endDate?: Date;
  preferences: SessionPreferences;
  /** The resolved document content sent to the agent in interactive_shell. */
  documentContent: Record<string, unknown>;
  parameters: Record<string, string[]>;
  endCause?: EndCause;
  /** The channel_closed Output the client was sent when the session ended. */
  closeOutput?: string;
  /** Real-clock instant of the last client input that counted as activity. */
  lastActivityAt: number;
}

export function isActive(session: SessionRecord): boolean {
  return session.status !== "Terminated" && session.status !== "Failed";
}
