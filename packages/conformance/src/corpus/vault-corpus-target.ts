/**
 * The corpus target of the `filters` area: each group's documents are stored through the Vault
 * in a fresh collection, and filters run through `vault.query`, so the whole path (parsing,
 * record-view rewriting, the provider's filter support) is what gets checked.
 */

import { type Filter, ValidationError, type Vault } from "@agentvault/core";
import { describeError } from "../assertions.js";
import type { CorpusTarget } from "./run-corpus.js";

/**
 * A target storing each group in the collection `<prefix>_<group index>` of `vault`. Documents
 * the Vault refuses with `ValidationError` are reported as refused; other errors fail the run.
 */
export function vaultCorpusTarget(vault: Vault, collectionPrefix: string): CorpusTarget {
  return {
    async load(documents, groupIndex) {
      const collection = `${collectionPrefix}_${groupIndex}`;
      const refused = new Map<string, string>();
      for (const { key, document } of documents) {
        try {
          await vault.store(collection, document, { key });
        } catch (error) {
          if (!ValidationError.isInstance(error)) throw error;
          refused.set(key, describeError(error));
        }
      }
      return {
        refused,
        async query(filter) {
          const found = await vault.query(collection, filter as Filter);
          return found.map((document) => document._id);
        },
      };
    },
  };
}
