/** AWS SDK v3 client settings that trust an extra CA for https endpoints (the SDK has no `ca` option). */
import https from "node:https";

/** Spread into a client's config; `{}` when there is no CA (the SDK's own handler and Node's roots). */
export function sdkTrusting(ca: string | undefined): { requestHandler?: { httpsAgent: https.Agent } } {
  // The SDK builds its NodeHttpHandler from these options; `ca` replaces Node's roots for this agent only.
  return ca === undefined ? {} : { requestHandler: { httpsAgent: new https.Agent({ ca, keepAlive: true }) } };
}
