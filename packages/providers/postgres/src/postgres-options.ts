/**
 * The options of `postgresProvider`.
 */

import type { Clock, VectorMetric } from "@agentvault/core";
import type pg from "pg";

/** Where the provider connects when no connection option is given. */
export const defaultConnectionString = "postgres://postgres@127.0.0.1:5432/test";

/** Options of `postgresProvider`. Give a connection string, connection fields, or a pool. */
export interface PostgresProviderOptions {
  /**
   * A `postgres://` URL. Used when no `pool` and no `host` is given.
   * @default process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"
   */
  readonly connectionString?: string | undefined;
  /** Server host, instead of a connection string. @default undefined */
  readonly host?: string | undefined;
  /** Server port. @default 5432 */
  readonly port?: number | undefined;
  /** The PostgreSQL database to connect to (not the AgentVault database). @default undefined */
  readonly postgresDatabase?: string | undefined;
  /** User name. @default undefined (pg's default) */
  readonly user?: string | undefined;
  /** Password. @default undefined */
  readonly password?: string | undefined;
  /**
   * An existing pool to use instead of creating one. The provider never ends it: `close()` only
   * stops using it. Statement and connect timeouts are then the pool's own.
   * @default undefined
   */
  readonly pool?: pg.Pool | undefined;
  /** Connections in the pool the provider creates. @default 10 */
  readonly poolSize?: number | undefined;
  /**
   * Prefix of every schema the provider creates: 1-16 characters of lowercase letters, digits
   * and `_`, starting with a letter. Schemas are named `<prefix>_<database>_<hash>`.
   * @default "av"
   */
  readonly schemaPrefix?: string | undefined;
  /** The AgentVault database (tenant) this provider is bound to; it maps to one schema. @default "default" */
  readonly database?: string | undefined;
  /** Server-side limit on one statement, in milliseconds (0: none). @default 30000 */
  readonly statementTimeoutMs?: number | undefined;
  /**
   * How long connecting may take before the call fails with `ProviderUnavailableError`.
   * @default 5000
   */
  readonly connectTimeoutMs?: number | undefined;
  /** How often expired rows are deleted, at most, per collection, on writes. @default 60000 */
  readonly sweepIntervalMs?: number | undefined;
  /** The clock deciding expiry and timestamps; tests pass a fake one. @default systemClock */
  readonly clock?: Clock | undefined;
  /** The vector metric of collections without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection vector metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
}
