/** One AWS API call as seen by a wire protocol: who serves it, its input, and how to answer it. */
import type { AwsServiceError, ServiceProvider } from "./provider";

export interface Exchange {
  /** The provider the request is addressed to, if any serves it. */
  readonly provider: ServiceProvider | undefined;
  readonly operation: string;
  /** For logs: `<TargetPrefix>.<Operation>` or `<Action>@<Version>`. */
  readonly label: string;
  /** Decodes the request body; throws an AwsServiceError when it is malformed. */
  input(): Record<string, unknown>;
  reply(result: unknown): void;
  fail(error: AwsServiceError): void;
}
