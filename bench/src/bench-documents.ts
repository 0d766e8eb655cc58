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
