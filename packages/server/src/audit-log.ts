/**
 * A tenant's audit log: hash-chained entries (see `audit-chain.ts`) in the reserved collection
 * `_av_audit` of the tenant's own database.
 *
 * Appends are safe across server instances: entries are written in *blocks* keyed by the index
 * of their first entry (zero-padded, so key order is log order), with `put(..., { ifAbsent })`.
 * A block always starts right after the head its writer knew, so a writer with a stale head
 * collides with the block that followed it, gets a `ConflictError`, re-reads the head and
 * retries: the blocks tile the log with no gap and no overlap.
 *
 * Within one instance, calls that arrive in the same event-loop turn, or while a block is being
 * written, are queued and written together as the next block (group commit): one write per block instead of one per call, which
 * is what lets a busy tenant's log keep up with batched requests.
 */

import { ConflictError, IntegrityError, type StorageProvider } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import {
  type AuditDraft,
  type AuditEntry,
  type AuditVerification,
  type ChainHead,
  chainAuditEntries,
  emptyHead,
  verifyAuditChain,
} from "./audit-chain.js";
import { byKey, everyRecord, valueFilter } from "./record-filters.js";

/** The reserved collection holding the log. */
export const auditCollection = "_av_audit";

const keyWidth = 12;
const maxBlockEntries = 500;
const maxAppendAttempts = 50;

/** The block key of the entry at `index`. */
export function auditBlockKey(index: number): string {
  return String(index).padStart(keyWidth, "0");
}

/** Options of `admin.audit`. */
export interface AuditListOptions {
  /** Only entries after this index. */
  readonly after?: number | undefined;
  /** Most entries returned. @default 100 */
  readonly limit?: number | undefined;
  readonly principal?: string | undefined;
  readonly operation?: string | undefined;
  readonly collection?: string | undefined;
  readonly outcome?: AuditEntry["outcome"] | undefined;
}

interface Pending {
  readonly draft: AuditDraft;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function accepts(entry: AuditEntry, options: AuditListOptions): boolean {
  return (
    entry !== null &&
    typeof entry === "object" &&
    (options.after === undefined || entry.index > options.after) &&
    (options.principal === undefined || entry.principal === options.principal) &&
    (options.operation === undefined || entry.operation === options.operation) &&
    (options.collection === undefined || entry.collection === options.collection) &&
    (options.outcome === undefined || entry.outcome === options.outcome)
  );
}

/** The audit log of one database. */
export class AuditLog {
  readonly #provider: StorageProvider;
  #head: ChainHead | undefined;
  #pending: Pending[] = [];
  #writing = false;

  constructor(provider: StorageProvider) {
    this.#provider = provider;
  }

  /**
   * Appends one entry; resolves once it is stored. The first write waits for the event loop's
   * next check phase, so the calls of one batch (and calls arriving together) share a block.
   */
  append(draft: AuditDraft): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ draft, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const block = this.#pending.splice(0, maxBlockEntries);
        try {
          await this.#writeBlock(block.map((pending) => pending.draft));
          for (const pending of block) pending.resolve();
        } catch (error) {
          for (const pending of block) pending.reject(error);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  async #readHead(): Promise<ChainHead> {
    const [last] = await this.#provider.find(auditCollection, {
      filter: everyRecord,
      sort: byKey(-1),
      limit: 1,
    });
    if (last === undefined) return emptyHead;
    const entries = (last.value as { entries?: AuditEntry[] }).entries ?? [];
    const tail = entries[entries.length - 1];
    if (tail === undefined) {
      throw new IntegrityError("The audit log ends with an empty block", { source: "audit" });
    }
    return { index: tail.index, hash: tail.hash };
  }

  async #writeBlock(drafts: readonly AuditDraft[]): Promise<void> {
    for (let attempt = 0; attempt < maxAppendAttempts; attempt++) {
      this.#head ??= await this.#readHead();
      const { entries, head } = chainAuditEntries(drafts, this.#head);
      try {
        await this.#provider.put(
          auditCollection,
          { key: auditBlockKey(this.#head.index + 1), value: { entries } as unknown as Value },
          { ifAbsent: true },
        );
        this.#head = head;
        return;
      } catch (error) {
        this.#head = undefined;
        if (!ConflictError.isInstance(error)) throw error;
      }
    }
    throw new ConflictError("Could not append to the audit log: too much contention", {
      source: "audit",
    });
  }

  /** Every entry, in stored (key) order, as `verify` sees them. */
  async #readAll(): Promise<unknown[]> {
    const blocks = await this.#provider.find(auditCollection, {
      filter: everyRecord,
      sort: byKey(1),
    });
    const entries: unknown[] = [];
    for (const block of blocks) {
      const blockEntries = (block.value as { entries?: unknown }).entries;
      if (Array.isArray(blockEntries)) entries.push(...blockEntries);
      else entries.push(null);
    }
    return entries;
  }

  /**
   * Lists entries, oldest first, with the current head for anchoring elsewhere. Reads only the
   * blocks that can hold entries after `after` and, without entry filters, only as many blocks
   * as `limit` can need (every block holds at least one entry).
   */
  async list(options: AuditListOptions = {}): Promise<{ entries: AuditEntry[]; head: ChainHead }> {
    const limit = options.limit ?? 100;
    const filtered =
      options.principal !== undefined ||
      options.operation !== undefined ||
      options.collection !== undefined ||
      options.outcome !== undefined;
    // A block starting up to maxBlockEntries - 1 entries before `after + 1` may hold later ones.
    const firstBlock = Math.max(0, (options.after ?? -1) + 2 - maxBlockEntries);
    const blocks = await this.#provider.find(auditCollection, {
      filter: valueFilter({ _id: { $gte: auditBlockKey(firstBlock) } }),
      sort: byKey(1),
      limit: filtered ? undefined : limit + maxBlockEntries,
    });
    const selected: AuditEntry[] = [];
    for (const block of blocks) {
      const entries = (block.value as { entries?: unknown }).entries;
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as AuditEntry[]) {
        if (selected.length < limit && accepts(entry, options)) selected.push(entry);
      }
      if (selected.length >= limit) break;
    }
    return { entries: selected, head: await this.#readHead() };
  }

  /** Checks the whole chain. */
  async verify(): Promise<AuditVerification> {
    return verifyAuditChain(await this.#readAll());
  }
}
