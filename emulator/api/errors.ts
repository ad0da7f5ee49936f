/** The AWS errors raised by the front door itself (auth, protocol), as opposed to the providers' own. */
import { AwsServiceError } from "./provider";

export const unrecognizedClient = () =>
  new AwsServiceError(
    "UnrecognizedClientException",
    "The security token included in the request is invalid.",
  );

export const invalidSignature = (
  message = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
) => new AwsServiceError("InvalidSignatureException", message, 403);

export const missingAuthenticationToken = () =>
  new AwsServiceError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);

export const incompleteSignature = () =>
  new AwsServiceError(
    "IncompleteSignatureException",
    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters (AWS4-HMAC-SHA256).",
    403,
  );

export const accessDenied = (arn: string, action: string) =>
  new AwsServiceError(
    "AccessDeniedException",
    `User: ${arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
  );

export const unknownOperation = (what: string) =>
  new AwsServiceError("UnknownOperationException", `Unknown operation: ${what}`);

export const serializationError = (message: string) => new AwsServiceError("SerializationException", message);

export const internalError = (code = "InternalFailure") =>
  new AwsServiceError(
    code,
    "The request processing has failed because of an unknown error, exception or failure.",
    500,
  );
