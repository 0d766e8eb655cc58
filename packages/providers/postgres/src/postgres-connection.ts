/**
 * The connection state every provider sharing one pool shares (siblings from `withDatabase`,
 * providers bound to transactions): the pool, what is known about the server, and caches of
 * which tables exist. The pool is created at once but connects lazily, on the first query.
 */

import { createHash } from "node:crypto";
import { ProviderUnavailableError } from "@agentvault/core";
import pg from "pg";
import type { ShapesCache } from "./postgres-array-registry.js";
import { source, toProviderError } from "./postgres-errors.js";
import { defaultConnectionString, type PostgresProviderOptions } from "./postgres-options.js";

/** Something that runs one statement: the pool, or the client of a transaction. */
export interface Executor {
  /**
   * Runs a statement. With `prepared`, the statement is prepared once per connection under a
   * name derived from its text, sparing the server a parse and plan on every call: for the
   * fixed statements of key lookups and writes, never for compiled filters (whose index use
   * depends on planning with the actual parameter values). With `rowMode: "array"`, each row
   * comes back as an array of its columns in select order, which spares `pg` building an object
   * per row on reads of many rows.
   */
  query<Row extends pg.QueryResultRow>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<pg.QueryResult<Row>>;
}

/** How `Executor.query` sends a statement and shapes its rows. */
export interface QueryOptions {
  readonly prepared?: boolean | undefined;
  readonly rowMode?: "array" | undefined;
}

const statementNames = new Map<string, string>();

/**
 * The query config of a statement, named when it should be prepared. Typed as the object-row
 * config for `query`'s overloads; array mode changes only the shape of each row.
 */
function queryConfig(
  text: string,
  params: readonly unknown[] | undefined,
  options: QueryOptions | undefined,
): pg.QueryConfig {
  const values = params as unknown[] | undefined;
  const config: pg.QueryConfig | pg.QueryArrayConfig = { text, values };
  if (options?.rowMode === "array") (config as pg.QueryArrayConfig).rowMode = "array";
  if (!options?.prepared) return config;
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `av_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    if (statementNames.size > 10_000) statementNames.clear();
    statementNames.set(text, name);
  }
  config.name = name;
  return config;
}

/** What the provider learns about the server once. */
export interface ServerSettings {
  /** Whether `jsonb` string comparison follows code points (see the filter compiler). */
  readonly codePointCollation: boolean;
}

// Orderings that only a code point collation gives: case before letters, punctuation counted,
// accents after ASCII, supplementary planes after the BMP.
const collationProbe = `SELECT ('"B"'::jsonb < '"a"'::jsonb AND '"z"'::jsonb < '"é"'::jsonb
  AND '"a-c"'::jsonb < '"ab"'::jsonb AND '"｡"'::jsonb < '"😀"'::jsonb) AS code_point`;

function createPool(options: PostgresProviderOptions): pg.Pool {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const useFields = options.connectionString === undefined && options.host !== undefined;
  const pool = new pg.Pool({
    ...(useFields
      ? {
          host: options.host,
          port: options.port ?? 5432,
          database: options.postgresDatabase,
          user: options.user,
          password: options.password,
        }
      : {
          connectionString:
            options.connectionString ?? process.env.POSTGRES_URL ?? defaultConnectionString,
        }),
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    ...(statementTimeoutMs > 0
      ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 5000 }
      : {}),
    // JIT compilation costs more than it saves on the short statements a provider runs.
    options: "-c jit=off",
  });
  // An idle client losing its connection emits "error" on the pool; unhandled, it would crash
  // the process. The next query reconnects (or fails with ProviderUnavailableError).
  pool.on("error", () => {});
  return pool;
}

/** The shared state of one pool. */
export class PostgresConnection {
  readonly pool: pg.Pool;
  readonly #ownsPool: boolean;
  #closed = false;
  #settings: Promise<ServerSettings> | undefined;
  /** Tables known to exist, as `schema.table`. */
  readonly knownTables = new Set<string>();
  /** Vector dimension per `schema.table`, once a vector was written or seen. */
  readonly vectorDimensions = new Map<string, number>();
  /** When each `schema.table` was last swept of expired rows. */
  readonly lastSweep = new Map<string, number>();
  /** Array shapes per `schema.table`, as last read from the registry. */
  readonly arrayShapes: ShapesCache = new Map();

  constructor(options: PostgresProviderOptions) {
    this.#ownsPool = options.pool === undefined;
    this.pool = options.pool ?? createPool(options);
  }

  /** Throws when the provider was closed. */
  checkOpen(): void {
    if (this.#closed) {
      throw new ProviderUnavailableError("The PostgreSQL provider is closed", { source });
    }
  }

  /** An executor over the pool, mapping errors. */
  readonly executor: Executor = {
    query: async (text, params, options) => {
      this.checkOpen();
      try {
        return await this.pool.query(queryConfig(text, params, options));
      } catch (error) {
        throw toProviderError(error, "query");
      }
    },
  };

  /** A dedicated client (for transactions); release it when done. */
  async connect(): Promise<pg.PoolClient> {
    this.checkOpen();
    try {
      return await this.pool.connect();
    } catch (error) {
      throw toProviderError(error, "connect");
    }
  }

  /** Server settings, asked once (and again after a failure). */
  settings(): Promise<ServerSettings> {
    this.#settings ??= this.executor.query<{ code_point: boolean }>(collationProbe).then(
      (result) => ({ codePointCollation: result.rows[0]?.code_point === true }),
      (error: unknown) => {
        this.#settings = undefined;
        throw error;
      },
    );
    return this.#settings;
  }

  /** Forgets what is cached about a schema (after it or one of its tables was dropped). */
  forget(schema: string, table?: string): void {
    for (const cache of [
      this.knownTables,
      this.vectorDimensions,
      this.lastSweep,
      this.arrayShapes,
    ]) {
      for (const name of [...cache.keys()]) {
        if (table === undefined ? name.startsWith(`${schema}.`) : name === `${schema}.${table}`) {
          cache.delete(name);
        }
      }
    }
  }

  /** Ends the pool if the provider created it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.pool.end();
  }
}

/** An executor over one client (a transaction's), mapping errors. */
export function clientExecutor(client: pg.PoolClient): Executor {
  return {
    query: async (text, params, options) => {
      try {
        return await client.query(queryConfig(text, params, options));
      } catch (error) {
        throw toProviderError(error, "query");
      }
    },
  };
}
