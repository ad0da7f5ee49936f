/**
 * The SSM document errors, with the codes AWS uses. Messages quoted from AWS output where one is on record
 * (see README.md, "Error messages"); the others follow the SDK's description of the error.
 */
import { AwsServiceError } from "../../api/provider";

/** The caller-facing not-found text, as the real GetDocument answers (aws/aws-cli#7712). */
export const documentNotFound = (name: string) =>
  new AwsServiceError("InvalidDocument", `Document with name ${name} does not exist.`);

/** As on record in tmknom/terraform-aws-session-manager#34. */
export const documentAlreadyExists = (name: string) =>
  new AwsServiceError("DocumentAlreadyExists", `Document with same name ${name} already exists`);

export const invalidDocumentVersion = () =>
  new AwsServiceError("InvalidDocumentVersion", "The document version is not valid or does not exist.");

/** UpdateDocument on a version other than the latest (as on record in terraform-provider-aws#31131). */
export const notLatestVersion = (name: string) =>
  new AwsServiceError(
    "InvalidDocumentVersion",
    `Version provided for document ${name} is not latest. Please provide the latest version to update document ${name}`,
  );

export const invalidContent = (message: string) => new AwsServiceError("InvalidDocumentContent", message);

export const invalidSchemaVersion = (message: string) =>
  new AwsServiceError("InvalidDocumentSchemaVersion", message);

export const maxSizeExceeded = () =>
  new AwsServiceError("MaxDocumentSizeExceeded", "The size limit of a document is 64 KB.");

export const duplicateContent = () =>
  new AwsServiceError(
    "DuplicateDocumentContent",
    "The content of the association document matches another document. Change the content of the document and try again.",
  );

export const duplicateVersionName = () =>
  new AwsServiceError(
    "DuplicateDocumentVersionName",
    "The version name has already been used in this document. Specify a different version name, and then try again.",
  );

export const versionLimitExceeded = () =>
  new AwsServiceError(
    "DocumentVersionLimitExceeded",
    "The document has too many versions. Delete one or more document versions and try again.",
  );

export const invalidOperation = (message: string) => new AwsServiceError("InvalidDocumentOperation", message);

export const validation = (message: string) => new AwsServiceError("ValidationException", message);

export const invalidFormat = (format: string) => validation(`Invalid document format ${format}`);

export const unsupportedType = (type: string) =>
  new AwsServiceError(
    "InvalidDocumentType",
    `Document type ${type} is not supported by the emulator. Supported types: Session, Command.`,
  );

export const invalidResourceId = () => new AwsServiceError("InvalidResourceId", "Invalid Resource Id");

export const invalidResourceType = () => new AwsServiceError("InvalidResourceType", "Invalid Resource Type");

export const tooManyTags = () =>
  new AwsServiceError("TooManyTagsError", "Each resource can have a maximum of 50 tags.");

export const invalidNextToken = () =>
  new AwsServiceError("InvalidNextToken", "The specified token is not valid.");

export const invalidFilterKey = (key: string) =>
  new AwsServiceError(
    "InvalidFilterKey",
    `The following filter key is not valid: ${key}. Valid filter keys include: [DocumentType, Name, Owner, PlatformTypes, TargetType, tag:<key>].`,
  );

/** StartSession `Parameters` that do not fit the document (the lead's StartSession surfaces these). */
export const invalidParameters = (message: string) => new AwsServiceError("InvalidParameters", message);
