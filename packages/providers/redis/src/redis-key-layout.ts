/**
 * Where everything lives in Redis. Every key of one (database, collection) carries the same
 * hash tag, so a Redis Cluster keeps the collection on one slot and every Lua script touching it
 * stays single-slot:
 *
 * | key | type | holds |
 * |---|---|---|
 * | `<p>:{<db>:<collection>}:r:<key>` | string | the record envelope (JSON) |
 * | `<p>:{<db>:<collection>}:keys` | sorted set | record keys, scored by expiry (`+inf` when none) |
 * | `<p>:{<db>:<collection>}:meta` | hash | index definitions (`d`), their version (`v`), vector size (`dim`) |
 * | `<p>:{<db>:<collection>}:x:<key>` | string | the index entries a record is in (indexed collections only) |
 * | `<p>:{<db>:<collection>}:ix:<id>:e:<value>` | set | keys whose indexed path holds `<value>` |
 * | `<p>:{<db>:<collection>}:ix:<id>:nlo` / `nhi` / `dlo` / `dhi` | sorted set | smallest / largest number or date at the path |
 * | `<p>:{<db>:<collection>}:ixsets` | set | names of every index set, for dropping them |
 * | `<p>:{<db>}:collections` | set | collection names of the database |
 * | `<p>:{<db>}:changes` | pub/sub channel | the change feed |
 *
 * Database and collection names are escaped (`%`, `{`, `}`, `:` become `%25`, `%7B`, `%7D`,
 * `%3A`), which is reversible, so two names never share keys and no name can end the hash tag
 * early. Record keys come after the tag and need no escaping: Redis hashes only the first `{...}`.
 */

const escapes: Readonly<Record<string, string>> = {
  "%": "%25",
  "{": "%7B",
  "}": "%7D",
  ":": "%3A",
};

/** Escapes a database or collection name for use inside a key (reversible, see `decodeName`). */
export function encodeName(name: string): string {
  return name.replace(/[%{}:]/g, (character) => escapes[character]!);
}

/** Reverses `encodeName`. */
export function decodeName(encoded: string): string {
  return encoded.replace(/%(25|7B|7D|3A)/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** The keys of one collection. */
export interface CollectionKeys {
  /** The common start of every key of the collection, `<p>:{<db>:<collection>}:`. */
  readonly base: string;
  /** The sorted set of record keys. */
  readonly keys: string;
  /** The hash of index definitions. */
  readonly meta: string;
  /** The record key of `key`. */
  record(key: string): string;
}

/** The keys and channel of one database. */
export interface DatabaseKeys {
  /** The set of the database's collection names. */
  readonly collections: string;
  /** The pub/sub channel of the change feed. */
  readonly channel: string;
  /** The keys of one collection of the database. */
  collection(name: string): CollectionKeys;
}

/** Builds the key names of `database` under `prefix`. */
export function databaseKeys(prefix: string, database: string): DatabaseKeys {
  const encodedDatabase = encodeName(database);
  const cache = new Map<string, CollectionKeys>();
  return {
    collections: `${prefix}:{${encodedDatabase}}:collections`,
    channel: `${prefix}:{${encodedDatabase}}:changes`,
    collection(name) {
      let keys = cache.get(name);
      if (keys === undefined) {
        const base = `${prefix}:{${encodedDatabase}:${encodeName(name)}}:`;
        const recordPrefix = `${base}r:`;
        keys = {
          base,
          keys: `${base}keys`,
          meta: `${base}meta`,
          record: (key) => recordPrefix + key,
        };
        cache.set(name, keys);
      }
      return keys;
    },
  };
}

/** Suffixes (after the collection's base) of the sets of index `id`. */
export const indexSetSuffix = {
  /** The set of keys whose path holds the value encoded as `encodedValue`. */
  equality: (id: string, encodedValue: string) => `ix:${id}:e:${encodedValue}`,
  /** Sorted set of the smallest (`lo`) or largest (`hi`) number or date at the path. */
  range: (id: string, kind: "nlo" | "nhi" | "dlo" | "dhi") => `ix:${id}:${kind}`,
} as const;
