/** SDK clients for a target: one configuration, four services. */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { KMSClient } from "@aws-sdk/client-kms";
import { SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import type { TargetClients } from "./target";

export interface ClientConfig {
  region: string;
  /** An endpoint override for every service (a local stack); AWS's own endpoints when absent. */
  endpoint?: string;
  credentials?: SSMClientConfig["credentials"];
}

export function createClients(config: ClientConfig): TargetClients {
  // Throttling on AWS is met with the SDK's adaptive retry mode.
  const common = { ...config, retryMode: "adaptive" as const, maxAttempts: 5 };
  return {
    ssm: new SSMClient(common),
    logs: new CloudWatchLogsClient(common),
    sts: new STSClient(common),
    kms: new KMSClient(common),
  };
}

export function destroyClients(clients: TargetClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
