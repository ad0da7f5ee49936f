/**
 * The `channel_closed.Output` text the client sees for each way the service ends a session. The idle text
 * is AWS's (observed); AWS's texts for TerminateSession and max duration are unknown (open question 1 of
 * mgs-agent-side.md section 10), so those are our documented choices (emulator/README.md).
 */
import type { EndCause } from "../sessions/session";

export const IDLE_TIMEOUT_OUTPUT = "Your session timed out due to inactivity and has been terminated.";
export const MAX_DURATION_OUTPUT =
  "Your session has reached its maximum session duration and has been terminated.";
export const STACK_STOP_OUTPUT =
  "The session was terminated because the Session Manager emulator is shutting down.";

/** For agent-reported ends the agent's own Output is used (empty for a normal shell exit). */
export function closeOutputFor(cause: EndCause, agentOutput = ""): string {
  switch (cause) {
    case "idle-timeout":
      return IDLE_TIMEOUT_OUTPUT;
    case "max-duration":
      return MAX_DURATION_OUTPUT;
    case "stack-stop":
      return STACK_STOP_OUTPUT;
    case "terminate-api":
      return "";
    case "shell-exit":
    case "agent-failure":
      return agentOutput;
  }
}
