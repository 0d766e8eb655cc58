/**
 * `logged(provider, sink)`: a provider that reports every call to `sink` as an
 * `OperationRecord` (operation, collection, key or filter shape, duration, outcome), after the
 * call ends. Values never reach the sink. Calls inside a transaction are reported too, followed
 * by one `transaction` record for the whole.
 */

import { performance } from "node:perf_hooks";
import type { FilterNode } from "@agentvault/query";
import { describeFilterShape, describeSortShape } from "./operation-filter-shape.js";
import {
  deliverOperation,
  type OperationSink,
  type OperationStart,
  operationErrorCode,
} from "./operation-record.js";
import type {
  ChangeListener,
  FindQuery,
  HealthStatus,
  IndexSpec,
  PutOptions,
  RecordUpdate,
  StorageProvider,
  StoredRecord,
  VectorHit,
  VectorQuery,
} from "./provider.js";

type Counter<T> = (result: T) => number | undefined;

const none: Counter<unknown> = () => undefined;
const length: Counter<readonly unknown[]> = (result) => result.length;
const found: Counter<unknown> = (result) => (result === null || result === false ? 0 : 1);
const itself: Counter<number> = (result) => result;

class LoggedProvider implements StorageProvider {
  readonly #inner: StorageProvider;
  readonly #sink: OperationSink;

  watch?: (collection: string, listener: ChangeListener) => Promise<() => Promise<void>>;
  transaction?: <T>(fn: (tx: StorageProvider) => Promise<T>) => Promise<T>;
  search?: (collection: string, query: VectorQuery) => Promise<VectorHit[]>;
  ensureIndexes?: (collection: string, indexes: readonly IndexSpec[]) => Promise<boolean>;

  constructor(inner: StorageProvider, sink: OperationSink) {
    this.#inner = inner;
    this.#sink = sink;
    if (inner.watch !== undefined) this.watch = inner.watch.bind(inner);
    const { search, ensureIndexes, transaction } = inner;
    if (search !== undefined) {
      this.search = (collection, query) =>
        this.#run(
          { op: "search", collection, limit: query.limit, ...this.#filter(query.filter) },
          length,
          () => search.call(inner, collection, query),
        );
    }
    if (ensureIndexes !== undefined) {
      this.ensureIndexes = (collection, indexes) =>
        this.#run({ op: "ensureIndexes", collection, keys: indexes.length }, none, () =>
          ensureIndexes.call(inner, collection, indexes),
        );
    }
    if (transaction !== undefined) {
      this.transaction = <T>(fn: (tx: StorageProvider) => Promise<T>) =>
        this.#run({ op: "transaction" }, none, () =>
          inner.transaction!<T>((tx) => fn(new LoggedProvider(tx, sink))),
        );
    }
  }

  get name(): string {
    return this.#inner.name;
  }

  get database(): string {
    return this.#inner.database;
  }

  get capabilities() {
    return this.#inner.capabilities;
  }

  #filter(filter: FilterNode | undefined): { filter?: string } {
    return filter === undefined ? {} : { filter: describeFilterShape(filter) };
  }

  async #run<T>(
    start: Omit<OperationStart, "provider" | "database">,
    count: Counter<T>,
    call: () => Promise<T>,
  ): Promise<T> {
    const startedAt = Date.now();
    const began = performance.now();
    const base = { ...start, provider: this.#inner.name, database: this.#inner.database };
    try {
      const result = await call();
      const durationMs = performance.now() - began;
      const resultCount = count(result);
      deliverOperation(this.#sink, { ...base, startedAt, durationMs, outcome: "ok", resultCount });
      return result;
    } catch (error) {
      const durationMs = performance.now() - began;
      const errorCode = operationErrorCode(error);
      deliverOperation(this.#sink, { ...base, startedAt, durationMs, outcome: "error", errorCode });
      throw error;
    }
  }

  withDatabase(database: string): StorageProvider {
    return new LoggedProvider(this.#inner.withDatabase(database), this.#sink);
  }

  get(collection: string, key: string): Promise<StoredRecord | null> {
    return this.#run({ op: "get", collection, key }, found, () => this.#inner.get(collection, key));
  }

  getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    const hits: Counter<(StoredRecord | null)[]> = (result) =>
      result.filter((record) => record !== null).length;
    return this.#run({ op: "getMany", collection, keys: keys.length }, hits, () =>
      this.#inner.getMany(collection, keys),
    );
  }

  put(collection: string, record: StoredRecord, options?: PutOptions): Promise<void> {
    return this.#run({ op: "put", collection, key: record.key }, none, () =>
      this.#inner.put(collection, record, options),
    );
  }

  putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    return this.#run({ op: "putMany", collection, keys: records.length }, none, () =>
      this.#inner.putMany(collection, records),
    );
  }

  delete(collection: string, key: string): Promise<boolean> {
    return this.#run({ op: "delete", collection, key }, found, () =>
      this.#inner.delete(collection, key),
    );
  }

  find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    const start = {
      op: "find" as const,
      collection,
      ...this.#filter(query.filter),
      ...(query.sort === undefined ? {} : { sort: describeSortShape(query.sort) }),
      skip: query.skip,
      limit: query.limit,
    };
    return this.#run(start, length, () => this.#inner.find(collection, query));
  }

  count(collection: string, filter: FilterNode): Promise<number> {
    return this.#run({ op: "count", collection, ...this.#filter(filter) }, itself, () =>
      this.#inner.count(collection, filter),
    );
  }

  update(collection: string, key: string, changes: RecordUpdate): Promise<StoredRecord | null> {
    return this.#run({ op: "update", collection, key }, found, () =>
      this.#inner.update(collection, key, changes),
    );
  }

  updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    return this.#run({ op: "updateMany", collection, ...this.#filter(filter) }, itself, () =>
      this.#inner.updateMany(collection, filter, changes),
    );
  }

  deleteMany(collection: string, filter: FilterNode): Promise<number> {
    return this.#run({ op: "deleteMany", collection, ...this.#filter(filter) }, itself, () =>
      this.#inner.deleteMany(collection, filter),
    );
  }

  dropCollection(collection: string): Promise<number> {
    return this.#run({ op: "dropCollection", collection }, itself, () =>
      this.#inner.dropCollection(collection),
    );
  }

  listCollections(): Promise<string[]> {
    return this.#run({ op: "listCollections" }, length, () => this.#inner.listCollections());
  }

  dropDatabase(): Promise<void> {
    return this.#run({ op: "dropDatabase" }, none, () => this.#inner.dropDatabase());
  }

  health(): Promise<HealthStatus> {
    return this.#inner.health();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * Wraps `provider` so that every call is reported to `sink` once it ends.
 *
 * @example
 * const provider = logged(sqliteProvider(), (record) => logger.info(record, "vault operation"));
 */
export function logged(provider: StorageProvider, sink: OperationSink): StorageProvider {
  return new LoggedProvider(provider, sink);
}
