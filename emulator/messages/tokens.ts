/**
 * Tokens of the message gateway. A client token (from StartSession/ResumeSession) opens one data-channel
 * connection for its session, once, and expires if unused; agent tokens (from CreateControlChannel and
 * CreateDataChannel) open the agent's channels. Tokens are opaque random strings that look like AWS's.
 */
import { randomBytes } from "node:crypto";

export type TokenKind = "client-data" | "agent-data" | "agent-control";

export interface TokenGrant {
  kind: TokenKind;
  /** The session id (data channels) or node id (control channel) the token is for. */
  channelId: string;
  expiresAt: number;
}

export type TokenCheck = { ok: true; grant: TokenGrant } | { ok: false; reason: string };

export const CLIENT_TOKEN_TTL_MS = 60_000;

export class TokenStore {
  private readonly grants = new Map<string, TokenGrant>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(kind: TokenKind, channelId: string, ttlMs = CLIENT_TOKEN_TTL_MS): string {
    this.sweep();
    const token = `AAEAA${randomBytes(48).toString("base64url")}`;
    this.grants.set(token, { kind, channelId, expiresAt: this.now() + ttlMs });
    return token;
  }

  /** Checks a token for a channel and consumes it: a token opens one connection only. */
  redeem(token: unknown, channelId: string): TokenCheck {
    if (typeof token !== "string" || token.length === 0)
      return { ok: false, reason: "TokenValue is missing" };
    const grant = this.grants.get(token);
    if (!grant) return { ok: false, reason: "TokenValue is invalid or was already used" };
    this.grants.delete(token);
    if (grant.channelId !== channelId)
      return { ok: false, reason: "TokenValue does not belong to this channel" };
    if (grant.expiresAt < this.now()) return { ok: false, reason: "TokenValue has expired" };
    return { ok: true, grant };
  }

  /** Invalidates every unused token of a channel, or only those of the given kinds. */
  revokeChannel(channelId: string, kinds?: readonly TokenKind[]): void {
    for (const [token, grant] of this.grants) {
      if (grant.channelId === channelId && (kinds === undefined || kinds.includes(grant.kind)))
        this.grants.delete(token);
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, grant] of this.grants) if (grant.expiresAt < now) this.grants.delete(token);
  }
}
