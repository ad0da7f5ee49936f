/** SDK clients for a target: one configuration, four services. */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { KMSClient } from "@aws-sdk/client-kms";
import { SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { sdkTrusting } from "../../emulator/tls/sdkTrust";
import { caBundleFromEnv } from "../config/caBundle";
import type { TargetClients } from "./target";

export interface ClientConfig {
  /** Absent: the SDK's region chain (AWS_REGION, then the profile's `region`). */
  region?: string;
  /**
   * An endpoint override for every service (a local stack). Absent: AWS's own endpoints, or whatever the
   * standard overrides say (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, `endpoint_url` in the profile),
   * which the SDK applies itself.
   */
  endpoint?: string;
  /** Absent: the SDK's default credential chain (env, profiles, SSO, web identity, container, instance). */
  credentials?: SSMClientConfig["credentials"];
  /** A shared-config profile for credentials, region and endpoints (as AWS_PROFILE would). */
  profile?: string;
  /** CloudWatch Logs only: an endpoint of its own (LocalStack's on the container target), over `endpoint`. */
  logsEndpoint?: string;
  /** CA certificates (PEM) for https endpoints. Absent: AWS_CA_BUNDLE or SSL_CERT_FILE if set (caBundle.ts). */
  ca?: string;
}

export function createClients(config: ClientConfig): TargetClients {
  const { logsEndpoint, ca, ...shared } = config;
  // Only the keys that are set: an explicit `undefined` must not shadow the SDK's own chains.
  const given = Object.fromEntries(Object.entries(shared).filter(([, value]) => value !== undefined));
  // Throttling on AWS is met with the SDK's adaptive retry mode (client-side rate limiting and backoff).
  const common = {
    ...given,
    ...sdkTrusting(ca ?? caBundleFromEnv()),
    retryMode: "adaptive" as const,
    maxAttempts: 5,
  };
  return {
    ssm: new SSMClient(common),
    logs: new CloudWatchLogsClient(
      logsEndpoint === undefined ? common : { ...common, endpoint: logsEndpoint },
    ),
    sts: new STSClient(common),
    kms: new KMSClient(common),
  };
}

export function destroyClients(clients: TargetClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
