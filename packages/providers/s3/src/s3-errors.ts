/**
 * Turns S3 client failures into AgentVault errors. Messages name the operation and the S3 error
 * code only, never the bucket, endpoint, key or credentials (those stay in `cause`).
 */

import {
  AgentVaultError,
  NotFoundError,
  ProviderUnavailableError,
  UnsupportedCapabilityError,
} from "@agentvault/core";
import { httpStatus } from "./s3-objects.js";

const source = "s3";

const credentialErrors = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "CredentialsProviderError",
]);

/** The S3 error code (or Node error code) of a failure, when it has one. */
function errorName(error: unknown): string {
  const candidate = error as { name?: unknown; code?: unknown } | undefined;
  if (typeof candidate?.code === "string" && candidate.code.startsWith("E")) return candidate.code;
  return typeof candidate?.name === "string" ? candidate.name : "Error";
}

/** Maps a failure of `action` (for example "read a record") to an AgentVault error. */
export function s3Failure(action: string, error: unknown): Error {
  if (AgentVaultError.isInstance(error)) return error;
  const name = errorName(error);
  // HeadBucket answers a missing bucket with a bare 404 "NotFound".
  if (name === "NoSuchBucket" || (name === "NotFound" && httpStatus(error) === 404)) {
    return new NotFoundError(`Could not ${action}: the bucket does not exist`, {
      source,
      cause: error,
    });
  }
  if (credentialErrors.has(name) || httpStatus(error) === 403) {
    return new ProviderUnavailableError(
      `Could not ${action}: the S3 service refused the credentials (${name})`,
      { source, cause: error },
    );
  }
  if (name === "NotImplemented" || httpStatus(error) === 501) {
    return new UnsupportedCapabilityError(
      "conditionalWrites",
      `Could not ${action}: the S3 service does not support a request it was sent; if it ` +
        "rejects conditional writes, set conditionalWrites: false",
      { source, cause: error },
    );
  }
  return new ProviderUnavailableError(`Could not ${action} (${name})`, { source, cause: error });
}
