/**
 * Evidence: every value a scenario measures, attached to the scenario in Cucumber's message stream under a
 * media type of our own, so reports are built from messages.ndjson alone.
 */
export const EVIDENCE_MEDIA_TYPE = "application/vnd.ssm-conformance.evidence+json";

/** `{ sessionIds: string[] }`: every session a scenario started (also those refused or failed). */
export const SESSIONS_MEDIA_TYPE = "application/vnd.ssm-conformance.sessions+json";

export interface Evidence {
  /** What was measured, e.g. `idle-close-delay`, `command-to-observable`. */
  kind: string;
  /** The measured value (null when nothing could be measured). */
  measured: number | string | boolean | null;
  /** The required value or bound it was compared with, in words or numbers. */
  required?: number | string | boolean | null;
  unit?: string;
  /** Whether the measured value met the requirement (absent for informational evidence). */
  ok?: boolean;
  sessionId?: string;
  logGroupName?: string;
  logStreamName?: string;
  /** Free-form details: timestamps, event ids, document names. Never tokens or credentials. */
  details?: Record<string, unknown>;
}

/** Attach hook of the cucumber World, typed loosely so support code does not depend on cucumber. */
export type Attach = (data: string, mediaType: string) => void | Promise<void>;

export async function attachEvidence(attach: Attach, evidence: Evidence): Promise<void> {
  await attach(JSON.stringify(evidence), EVIDENCE_MEDIA_TYPE);
}
