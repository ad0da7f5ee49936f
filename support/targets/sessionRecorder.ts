/**
 * Every session a run starts, recorded where they all pass: a middleware on the target's SSM client sees
 * each StartSession response, whichever code path sent it (the World, a step, the preflight). dispose()
 * ends those the service still lists as active, so no session outlives the run even when a step lost track
 * of its SessionClient. Sessions carry a Reason that names the run, for `ssm-conformance cleanup`.
 */
import {
  DescribeSessionsCommand,
  type Session,
  type SSMClient,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";

export const SESSION_REASON_PREFIX = "ssm-conformance:";

/** The StartSession Reason of a harness session: prefix, run id, scenario (AWS allows 256 characters). */
export function sessionReason(runId: string, scenario: string): string {
  return `${SESSION_REASON_PREFIX} run ${runId}: ${scenario}`.replace(/[\r\n]+/g, " ").slice(0, 256);
}

/** The run id in a harness session's Reason; undefined for any other Reason. */
export function runIdOfReason(reason: string | undefined): string | undefined {
  return reason?.startsWith(SESSION_REASON_PREFIX)
    ? /^ssm-conformance: run (\S+?):/.exec(reason)?.[1]
    : undefined;
}

export interface EndedSessions {
  /** Sessions that were still active and were terminated now. */
  ended: string[];
  /** Sessions that were still active and could not be terminated, with why. */
  failed: string[];
}

export class SessionRecorder {
  private readonly ids: string[] = [];
  private firstStartedAt?: number;

  constructor(private readonly ssm: SSMClient) {
    ssm.middlewareStack.add(
      (next, context) => async (args) => {
        const startedAt = Date.now();
        const result = await next(args);
        if (context.commandName === "StartSessionCommand") {
          const id = (result.output as { SessionId?: string }).SessionId;
          if (id) {
            this.ids.push(id);
            this.firstStartedAt ??= startedAt;
          }
        }
        return result;
      },
      { step: "initialize", name: "ssmConformanceSessionRecorder" },
    );
  }

  get sessionIds(): readonly string[] {
    return this.ids;
  }

  /** Terminates every recorded session the service still lists as active. Never throws. */
  async endActive(): Promise<EndedSessions> {
    const outcome: EndedSessions = { ended: [], failed: [] };
    if (this.ids.length === 0) return outcome;
    const recorded = new Set(this.ids);
    let active: Session[];
    try {
      // A minute of slack for clock skew between this machine and the service.
      active = await listActiveSessions(this.ssm, new Date((this.firstStartedAt ?? Date.now()) - 60_000));
    } catch (error) {
      // Cannot list: terminate each one blindly (TerminateSession of an ended session is harmless).
      active = this.ids.map((SessionId) => ({ SessionId }));
      outcome.failed.push(`DescribeSessions: ${(error as Error).message}`);
    }
    for (const session of active) {
      const id = session.SessionId;
      if (!id || !recorded.has(id)) continue;
      try {
        await this.ssm.send(new TerminateSessionCommand({ SessionId: id }));
        outcome.ended.push(id);
      } catch (error) {
        outcome.failed.push(`${id}: ${(error as Error).message}`);
      }
    }
    return outcome;
  }
}

/** Every active session (all pages), optionally only those started after `since`. */
export async function listActiveSessions(ssm: SSMClient, since?: Date): Promise<Session[]> {
  const sessions: Session[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(
      new DescribeSessionsCommand({
        State: "Active",
        MaxResults: 200,
        NextToken: nextToken,
        ...(since && { Filters: [{ key: "InvokedAfter", value: isoSeconds(since) }] }),
      }),
    );
    sessions.push(...(page.Sessions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return sessions;
}

/** `2018-08-29T00:00:00Z`, the form the API reference shows for date filters. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
