/**
 * Operation records: what `logged()` hands its sink and `vault.on("operation")` hands its
 * listeners, one per provider call. A record says which call, where, on which key or filter
 * shape, how long it took and how it ended. It never holds a stored value, a metadata value or a
 * value from a filter: only keys, paths and operators (seed 003's access log, safe to ship to
 * a log system).
 */

import { AgentVaultError } from "./errors.js";

/** The provider calls that produce records. */
export type OperationName =
  | "get"
  | "getMany"
  | "put"
  | "putMany"
  | "delete"
  | "find"
  | "count"
  | "update"
  | "updateMany"
  | "deleteMany"
  | "dropCollection"
  | "listCollections"
  | "ensureIndexes"
  | "search"
  | "transaction"
  | "dropDatabase";

/** One provider call. */
export interface OperationRecord {
  readonly op: OperationName;
  /** The provider's name, for example `sqlite`. */
  readonly provider: string;
  /** The database (tenant) the call was scoped to. */
  readonly database: string;
  readonly collection?: string | undefined;
  /** The record key, for single-record calls. */
  readonly key?: string | undefined;
  /** How many keys or records a batch call named (`getMany`, `putMany`). */
  readonly keys?: number | undefined;
  /** The filter's shape: paths and operators, no values (see `describeFilterShape`). */
  readonly filter?: string | undefined;
  /** The sort's shape (`value.price:-1`). */
  readonly sort?: string | undefined;
  readonly skip?: number | undefined;
  readonly limit?: number | undefined;
  /** When the call started, epoch milliseconds. */
  readonly startedAt: number;
  /** How long the call took, milliseconds (sub-millisecond precision). */
  readonly durationMs: number;
  readonly outcome: "ok" | "error";
  /**
   * Records returned (`find`, `search`, `getMany` hits, `get` 0 or 1), counted (`count`) or
   * changed (`updateMany`, `deleteMany`, `dropCollection`, `delete` 0 or 1).
   */
  readonly resultCount?: number | undefined;
  /** The error's stable code (`NOT_FOUND`, ...), or its class name for other errors. */
  readonly errorCode?: string | undefined;
}

/** Receives operation records. It must be quick; whatever it throws is ignored. */
export type OperationSink = (record: OperationRecord) => void;

/** The fields of a record known before the call. */
export type OperationStart = Omit<
  OperationRecord,
  "startedAt" | "durationMs" | "outcome" | "resultCount" | "errorCode"
>;

/** The error code an operation record shows for `error`. */
export function operationErrorCode(error: unknown): string {
  if (AgentVaultError.isInstance(error)) return error.code;
  if (error instanceof Error) return error.name;
  return "UNKNOWN";
}

/** Calls `sink` and swallows whatever it throws or rejects with. */
export function deliverOperation(sink: OperationSink, record: OperationRecord): void {
  try {
    const result: unknown = sink(record);
    if (result instanceof Promise) result.catch(() => {});
  } catch {
    // A broken log must never break the operation it describes.
  }
}
