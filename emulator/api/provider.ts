/**
 * The contract between the AWS API front door (emulator/api/server.ts) and the per-service providers
 * (emulator/ssm, emulator/logs, emulator/kms, emulator/sts). One provider per AWS service, as in LocalStack.
 */

/** Who is calling, resolved from the SigV4 credential scope of the request. */
export interface CallerIdentity {
  accessKeyId: string;
  /** 12-digit account id. */
  accountId: string;
  /** IAM ARN of the principal, e.g. arn:aws:iam::000000000000:user/tester. Becomes Session.Owner. */
  arn: string;
  /** Stable principal id (AIDA... for users). */
  userId: string;
}

export interface RequestContext {
  caller: CallerIdentity;
  /** Region from the credential scope (or the stack default when unsigned and not strict). */
  region: string;
  /** Fresh request id, also sent as x-amzn-RequestId. */
  requestId: string;
}

/** A service error, serialised by the server in the shape the owning service uses. */
export class AwsServiceError extends Error {
  constructor(
    /** The `__type`, e.g. `TargetNotConnected`, `ResourceNotFoundException`. */
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export type OperationHandler = (
  input: Record<string, unknown>,
  ctx: RequestContext,
) => unknown | Promise<unknown>;

export interface ServiceProvider {
  /** SigV4 signing name, e.g. `ssm`, `logs`, `kms`, `sts`. */
  readonly signingName: string;
  /** JSON protocol target prefix, e.g. `AmazonSSM`, `Logs_20140328`, `TrentService`. */
  readonly targetPrefix: string;
  /** `Message` for SSM, `message` for CloudWatch Logs and KMS. */
  readonly errorMessageKey: "Message" | "message";
  /** Operation name (the part after the dot in X-Amz-Target) to handler. */
  readonly operations: Readonly<Record<string, OperationHandler>>;
  /**
   * Also serve the awsQuery protocol (form-encoded `Action=...&Version=...`, XML responses), for services
   * whose SDK client speaks it (STS). Query requests are routed by `version`.
   */
  readonly query?: { readonly version: string; readonly xmlNamespace: string };
  /** `__type` for an unexpected handler failure (HTTP 500); default `InternalFailure`. SSM models `InternalServerError`. */
  readonly internalErrorCode?: string;
}
