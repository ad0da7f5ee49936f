/** The CloudWatch Logs errors the emulator raises, with the codes and messages AWS uses. */
import { AwsServiceError } from "../api/provider";

export const invalidParameter = (message: string) =>
  new AwsServiceError("InvalidParameterException", message);

export const groupNotFound = () =>
  new AwsServiceError("ResourceNotFoundException", "The specified log group does not exist.");

export const streamNotFound = () =>
  new AwsServiceError("ResourceNotFoundException", "The specified log stream does not exist.");

export const groupAlreadyExists = () =>
  new AwsServiceError("ResourceAlreadyExistsException", "The specified log group already exists");

export const streamAlreadyExists = () =>
  new AwsServiceError("ResourceAlreadyExistsException", "The specified log stream already exists");

export const invalidNextToken = () => invalidParameter("The specified nextToken is invalid.");

export const invalidFilterPattern = () => invalidParameter("Invalid filter pattern");

/** `logGroupName` together with `logGroupIdentifier` (AWS answers ValidationException here, not InvalidParameter). */
export const nameAndIdentifier = () =>
  new AwsServiceError(
    "ValidationException",
    "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
  );

/** Neither `logGroupName` nor `logGroupIdentifier`. */
export const neitherNameNorIdentifier = () =>
  invalidParameter("Should provide either name or ARN of the log group, but not both.");
