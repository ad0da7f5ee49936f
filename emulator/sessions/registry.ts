/** All sessions the service knows, active and historic (DescribeSessions reads from here). */
import { randomBytes } from "node:crypto";
import { isActive, type SessionRecord } from "./session";

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionRecord>();

  add(session: SessionRecord): void {
    this.sessions.set(session.sessionId, session);
  }

  get(sessionId: string): SessionRecord | undefined {
    return this.sessions.get(sessionId);
  }

  list(): SessionRecord[] {
    return [...this.sessions.values()];
  }

  active(): SessionRecord[] {
    return this.list().filter(isActive);
  }
}

/**
 * Session ids look like AWS's: `<caller-name>-<17 hex>` (spec 2.2), the caller name being the last path
 * segment of the caller's ARN, kept to the characters AWS keeps.
 */
export function newSessionId(callerArn: string): string {
  const name = (callerArn.split("/").pop() ?? "user").replace(/[^A-Za-z0-9._@=,-]/g, "") || "user";
  return `${name.slice(0, 78)}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}
