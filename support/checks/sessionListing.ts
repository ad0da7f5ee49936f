/** DescribeSessions lookups of one session, polled briefly: the service's listing may lag the channel. */
import { DescribeSessionsCommand, type Session, type SSMClient } from "@aws-sdk/client-ssm";

export async function describeSession(ssm: SSMClient, sessionId: string): Promise<Session | undefined> {
  for (const state of ["Active", "History"] as const) {
    const out = await ssm.send(
      new DescribeSessionsCommand({ State: state, Filters: [{ key: "SessionId", value: sessionId }] }),
    );
    if (out.Sessions?.[0]) return out.Sessions[0];
  }
  return undefined;
}

/** The session once `accept` holds, or its last listing after `timeoutMs`. */
export async function describeSessionEventually(
  ssm: SSMClient,
  sessionId: string,
  accept: (session: Session) => boolean,
  timeoutMs = 10_000,
): Promise<Session | undefined> {
  const deadline = Date.now() + timeoutMs;
  let session = await describeSession(ssm, sessionId);
  while ((!session || !accept(session)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    session = await describeSession(ssm, sessionId);
  }
  return session;
}
