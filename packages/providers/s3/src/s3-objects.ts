/**
 * The object operations the provider needs, over `@aws-sdk/client-s3`: read, conditional
 * write, conditional delete, list (paginated) and batch delete. Failures of conditional
 * requests are reported as `PreconditionFailedError` so callers can retry. Every text read or
 * written is remembered in the provider's ETag cache; deletes forget it.
 */

import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import type { S3Root } from "./s3-options.js";

/** A conditional write or delete lost the race: the object changed since it was read. */
export class PreconditionFailedError extends Error {
  constructor(cause: unknown) {
    super("The object changed since it was read", { cause });
    this.name = "PreconditionFailedError";
  }
}

/** What a write or delete requires of the object's current version. */
export interface WriteCondition {
  /** The object must still have this ETag. */
  readonly ifMatch?: string | undefined;
  /** The object must not exist. */
  readonly ifAbsent?: boolean | undefined;
}

/** The HTTP status of an SDK error, if it has one. */
export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
}

function isPreconditionFailure(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  // 409 ConditionalRequestConflict: a concurrent conditional write is in progress.
  return (
    name === "PreconditionFailed" ||
    name === "ConditionalRequestConflict" ||
    httpStatus(error) === 412
  );
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === "NoSuchKey" || (name !== "NoSuchBucket" && httpStatus(error) === 404);
}

/** Reads an object's text and ETag; undefined when it does not exist. */
export async function readObject(
  root: S3Root,
  key: string,
): Promise<{ readonly text: string; readonly etag: string | undefined } | undefined> {
  try {
    const response = await root
      .client()
      .send(new GetObjectCommand({ Bucket: root.bucket, Key: key }));
    const text = (await response.Body?.transformToString("utf-8")) ?? "";
    root.cache.set(key, response.ETag, text);
    return { text, etag: response.ETag };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Writes an object. With `conditionalWrites`, `condition` becomes `If-Match` / `If-None-Match`.
 * @throws PreconditionFailedError when the condition does not hold.
 */
export async function writeObject(
  root: S3Root,
  key: string,
  text: string,
  condition: WriteCondition = {},
): Promise<string | undefined> {
  const conditional = root.conditionalWrites;
  try {
    const response = await root.client().send(
      new PutObjectCommand({
        Bucket: root.bucket,
        Key: key,
        Body: text,
        ContentType: "application/json; charset=utf-8",
        IfMatch: conditional ? condition.ifMatch : undefined,
        IfNoneMatch: conditional && condition.ifAbsent ? "*" : undefined,
      }),
    );
    root.cache.set(key, response.ETag, text);
    return response.ETag;
  } catch (error) {
    root.cache.delete(key);
    if (conditional && isPreconditionFailure(error)) throw new PreconditionFailedError(error);
    throw error;
  }
}

/**
 * Deletes an object (a missing one is fine). With `conditionalWrites`, `ifMatch` is sent.
 * @throws PreconditionFailedError when the object changed.
 */
export async function removeObject(root: S3Root, key: string, ifMatch?: string): Promise<void> {
  const conditional = root.conditionalWrites && ifMatch !== undefined;
  root.cache.delete(key);
  try {
    await root.client().send(
      new DeleteObjectCommand({
        Bucket: root.bucket,
        Key: key,
        IfMatch: conditional ? ifMatch : undefined,
      }),
    );
  } catch (error) {
    if (isMissing(error)) return;
    if (conditional && isPreconditionFailure(error)) throw new PreconditionFailedError(error);
    throw error;
  }
}

/** One listed object: its key and current ETag. */
export interface ListedObject {
  readonly key: string;
  readonly etag: string | undefined;
}

/** Lists every object under `prefix`, following pagination. */
export async function listObjects(root: S3Root, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await root
      .client()
      .send(
        new ListObjectsV2Command({ Bucket: root.bucket, Prefix: prefix, ContinuationToken: token }),
      );
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined) objects.push({ key: object.Key, etag: object.ETag });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** Lists the next path segment of every object under `prefix` (S3 "folders"), without `/`. */
export async function listChildNames(root: S3Root, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await root.client().send(
      new ListObjectsV2Command({
        Bucket: root.bucket,
        Prefix: prefix,
        Delimiter: "/",
        ContinuationToken: token,
      }),
    );
    for (const common of page.CommonPrefixes ?? []) {
      if (common.Prefix !== undefined) names.push(common.Prefix.slice(prefix.length, -1));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return names;
}

/** Deletes objects in batches of 1,000 (the S3 limit). */
export async function removeObjects(root: S3Root, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    for (const key of batch) root.cache.delete(key);
    const response = await root.client().send(
      new DeleteObjectsCommand({
        Bucket: root.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = response.Errors?.[0];
    if (failed !== undefined) {
      throw new Error(`DeleteObjects failed: ${failed.Code ?? "unknown"} ${failed.Message ?? ""}`);
    }
  }
}
