// S3 location and client. Credentials and region come from the standard AWS chain (environment, ~/.aws/config and
// credentials, instance roles) and are never logged. Endpoint for non-AWS servers (Ceph RGW, MinIO): the standard
// AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL; path-style addressing with DNAFLOW_S3_PATH_STYLE=1.
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash ("" for the bucket root). */
  prefix: string;
  url: string;
}

export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error(`'${url}' is not an S3 store URL (s3://bucket/prefix)`);
  return { bucket: m[1], prefix: (m[2] ?? "").replace(/^\/+|\/+$/g, ""), url };
}

export function makeClient(): S3Client {
  // The SDK is pinned to a release that supports Node 20; its notice about future releases is noise for our users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    ...(endpoint ? { endpoint } : {}),
    region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1",
    forcePathStyle: process.env.DNAFLOW_S3_PATH_STYLE === "1",
    maxAttempts: 5,
  });
}

export function httpStatus(e: unknown): number | undefined {
  return (e as S3ServiceException)?.$metadata?.httpStatusCode;
}

/** A message for S3 failures that says what to check, without credentials. */
export function explainS3Error(e: unknown, loc: S3Location): Error {
  const err = e as S3ServiceException & { code?: string };
  const status = httpStatus(e);
  const name = err?.name ?? "Error";
  let hint = "";
  if (name === "NoSuchBucket") hint = `bucket '${loc.bucket}' does not exist`;
  else if (name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch" || status === 403)
    hint = "access denied: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or ~/.aws/credentials";
  else if (err?.code === "ECONNREFUSED" || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(String(err?.message)))
    hint = `cannot reach the S3 endpoint (${process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || "AWS default"})`;
  return new Error(`S3 store ${loc.url}: ${hint || `${name}${status ? ` (HTTP ${status})` : ""}: ${err?.message ?? e}`}`);
}
