/**
 * Helpers shared by the PostgreSQL test files: random, per-file names so engineers sharing one
 * server never collide, and cleanup of every schema a file created.
 */

import { randomBytes } from "node:crypto";
import pg from "pg";

/** A schema prefix unique to one test file run, for example `avt3f9a1c`. */
export function randomSchemaPrefix(): string {
  return `avt${randomBytes(4).toString("hex")}`;
}

/** A fresh schema name for tests that create tables themselves. */
export function randomSchema(label: string): string {
  return `avt_${label}_${randomBytes(5).toString("hex")}`;
}

/** Drops every schema whose name starts with `prefix_`. */
export async function dropSchemasWithPrefix(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)",
      [`${prefix}_`],
    );
    for (const row of result.rows) {
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(row.nspname)} CASCADE`);
    }
  } finally {
    await client.end();
  }
}
