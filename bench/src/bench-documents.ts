/**
 * Documents the provider-vs-raw-driver suites store: the same shape for every contender, so
 * both sides encode, send and decode the same bytes.
 */

/** A type alias, not an interface, so it is assignable to the `Value` model. */
export type FlatBenchDocument = {
  name: string;
  category: string;
  price: number;
  qty: number;
  active: boolean;
  tags: string[];
};

/** The `index`-th document; `category` cycles through `categories` values (`c0`, `c1`, ...). */
export function flatBenchDocument(index: number, categories: number): FlatBenchDocument {
  return {
    name: `item ${index}`,
    category: `c${index % categories}`,
    price: (index * 7919) % 1000,
    qty: index % 13,
    active: index % 3 === 0,
    tags: ["alpha", `t${index % 5}`],
  };
}

/** A document with a nested object, for the suites that store richer records. */
export type NestedBenchDocument = {
  seq: number;
  /** The same number as `seq`, for a second (unindexed) copy of the sequence. */
  copy: number;
  name: string;
  category: string;
  price: number;
  active: boolean;
  tags: string[];
  address: { city: string; zip: string };
};

/** The `index`-th nested document; `category` cycles through `categories` values. */
export function nestedBenchDocument(index: number, categories: number): NestedBenchDocument {
  return {
    seq: index,
    copy: index,
    name: `item ${index}`,
    category: `c${index % categories}`,
    price: ((index * 7919) % 100_000) / 100,
    active: index % 3 === 0,
    tags: ["alpha", `t${index % 5}`],
    address: { city: `city ${index % 50}`, zip: String(10_000 + (index % 90_000)) },
  };
}
