/**
 * The connection every `withDatabase` sibling shares: one `MongoClient`, connected on first use,
 * the topology facts learned when connecting (whether transactions exist), and the collections
 * whose TTL index this process already ensured.
 *
 * The client is created at once (that does no I/O, and a malformed URL fails early) but only
 * connects when a call needs it. A failed connection is forgotten, so the next call tries again:
 * a server that comes back is used without restarting the process.
 */

import { ValidationError } from "@agentvault/core";
import {
  type ClientSession,
  type Db,
  type Document,
  MongoClient,
  type MongoClientOptions,
  ReadConcern,
} from "mongodb";
import { closedError, serverCode, source, toProviderError } from "./mongodb-errors.js";
import { expiryIndex } from "./mongodb-index-specs.js";
import type { ResolvedMongodbOptions } from "./mongodb-options.js";

/** The write concern used when the caller sets none: majority and journaled. */
export const defaultWriteConcern = Object.freeze({ w: "majority", journal: true } as const);

/**
 * Whether a `hello` reply describes a deployment with multi-document transactions: a replica
 * set member or a `mongos`, with logical sessions. A standalone server has neither.
 */
export function supportsTransactions(hello: Document): boolean {
  if (
    hello.logicalSessionTimeoutMinutes === undefined ||
    hello.logicalSessionTimeoutMinutes === null
  ) {
    return false;
  }
  return typeof hello.setName === "string" || hello.msg === "isdbgrid";
}

/** Index errors that mean "already there, in some form": NamespaceExists, IndexAlreadyExists, IndexOptionsConflict, IndexKeySpecsConflict. */
const harmlessIndexCodes: ReadonlySet<number> = new Set([48, 68, 85, 86]);

function createClient(options: ResolvedMongodbOptions): MongoClient {
  const clientOptions: MongoClientOptions = {
    appName: "agentvault",
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs,
    connectTimeoutMS: options.serverSelectionTimeoutMs,
    writeConcern: options.writeConcern ?? defaultWriteConcern,
    ...(options.readConcern === undefined ? {} : { readConcernLevel: options.readConcern }),
    ...options.clientOptions,
  };
  try {
    return new MongoClient(options.url ?? "", clientOptions);
  } catch (error) {
    // Never echo the URL: it may carry a password.
    throw new ValidationError(
      "The MongoDB connection string or client options are invalid",
      "url",
      {
        source,
        cause: error,
      },
    );
  }
}

/** The shared connection of a provider and its `withDatabase` siblings. */
export class MongoConnection {
  readonly options: ResolvedMongodbOptions;
  readonly #ownsClient: boolean;
  #client: MongoClient;
  #ready: Promise<void> | undefined;
  #transactions: boolean | undefined;
  #closed = false;
  readonly #prepared = new Map<string, Promise<void>>();

  constructor(options: ResolvedMongodbOptions) {
    this.options = options;
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? createClient(options);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the deployment runs transactions; undefined until the first connection. */
  get transactions(): boolean | undefined {
    return this.#transactions;
  }

  /**
   * Connects (once; concurrent callers share the attempt) and returns the client.
   * @throws ProviderUnavailableError when no server answers within the selection timeout, or
   *   after `close()`.
   */
  async connect(): Promise<MongoClient> {
    if (this.#closed) throw closedError();
    this.#ready ??= this.#open().catch((error: unknown) => {
      this.#ready = undefined;
      throw toProviderError(error, "connect");
    });
    await this.#ready;
    if (this.#closed) throw closedError();
    return this.#client;
  }

  async #open(): Promise<void> {
    try {
      await this.#client.connect();
      const hello = await this.#client.db("admin").command({ hello: 1 });
      this.#transactions = supportsTransactions(hello);
    } catch (error) {
      if (this.#ownsClient) {
        // Start over with a fresh client next time rather than reuse a half-open one.
        await this.#client.close().catch(() => {});
        this.#client = createClient(this.options);
      }
      throw error;
    }
  }

  /** The `Db` of a MongoDB database name, with the configured write and read concerns. */
  db(name: string): Db {
    const { writeConcern, readConcern } = this.options;
    const ownConcerns = this.#ownsClient;
    return this.#client.db(name, {
      ...(writeConcern === undefined || ownConcerns ? {} : { writeConcern }),
      ...(readConcern === undefined || ownConcerns
        ? {}
        : { readConcern: new ReadConcern(readConcern) }),
    });
  }

  /**
   * Makes sure a collection exists with its TTL index, once per process. Runs outside any
   * transaction on purpose: creating collections and indexes inside one is restricted, and the
   * collection must exist before a transaction writes to it.
   */
  async prepareCollection(database: string, collection: string): Promise<void> {
    const memo = `${database}\u0000${collection}`;
    let prepared = this.#prepared.get(memo);
    if (prepared === undefined) {
      prepared = this.#createExpiryIndex(database, collection).catch((error: unknown) => {
        const code = serverCode(error);
        if (code !== undefined && harmlessIndexCodes.has(code)) return;
        this.#prepared.delete(memo);
        throw toProviderError(error, "create the collection");
      });
      this.#prepared.set(memo, prepared);
    }
    await prepared;
  }

  async #createExpiryIndex(database: string, collection: string): Promise<void> {
    await this.connect();
    await this.db(database)
      .collection(collection)
      .createIndex(expiryIndex.key as Document, { name: expiryIndex.name, expireAfterSeconds: 0 });
  }

  /** Forgets prepared collections after a drop: of one collection, or of a whole database. */
  forgetPrepared(database: string, collection?: string): void {
    if (collection !== undefined) {
      this.#prepared.delete(`${database}\u0000${collection}`);
      return;
    }
    for (const memo of [...this.#prepared.keys()]) {
      if (memo.startsWith(`${database}\u0000`)) this.#prepared.delete(memo);
    }
  }

  /**
   * Runs `fn` in a transaction with the driver's `withTransaction`, which commits, aborts on a
   * throw, and retries the whole function on transient errors (write conflicts, elections).
   */
  async withTransaction<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
    const client = await this.connect();
    const session = client.startSession();
    try {
      return await session.withTransaction(() => fn(session), {
        readConcern: { level: this.options.transactionReadConcern },
        writeConcern: this.options.writeConcern ?? defaultWriteConcern,
      });
    } finally {
      await session.endSession().catch(() => {});
    }
  }

  /** Closes the client if the provider created it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const ready = this.#ready;
    if (ready !== undefined) await ready.catch(() => {});
    if (this.#ownsClient) await this.#client.close().catch(() => {});
  }
}
