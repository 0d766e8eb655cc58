/**
 * The audit log's hash chain, as pure functions: each entry's hash covers its fields and the
 * previous entry's hash, so editing, deleting or reordering any entry breaks every link after it.
 *
 * `index` (the entry's position) is part of the hashed content, so an entry moved elsewhere no
 * longer verifies even if its neighbours were rewritten to point at it. What a chain alone cannot
 * show is the removal of the newest entries (nothing follows them); an operator who needs that
 * anchors the latest hash elsewhere (it is in every `admin.audit` answer).
 */

import { hash as oneShotHash } from "node:crypto";

/** Every way a call can end. */
export const auditOutcomes = ["allowed", "denied", "failed"] as const;
/** How a call ended. */
export type AuditOutcome = (typeof auditOutcomes)[number];

/** What the server knows about a call before it is chained. */
export interface AuditDraft {
  /** ISO 8601 time the call finished. */
  readonly time: string;
  readonly requestId: string;
  /** The calling principal, or `anonymous` when no valid key was presented. */
  readonly principal: string;
  /** The procedure, for example `vault.query`. */
  readonly operation: string;
  /** The full collection name, when the call names one. */
  readonly collection: string | null;
  /** Operators and paths of the filter, never its values (see `describeFilterShape`). */
  readonly filterShape: string | null;
  /** Documents returned, matched or changed, when the call counts any. */
  readonly resultCount: number | null;
  readonly outcome: AuditOutcome;
  /** The AgentVault error code of a denied or failed call. */
  readonly errorCode: string | null;
}

/** One chained entry, as stored and as `admin.audit` returns it. */
export interface AuditEntry extends AuditDraft {
  /** Position in the tenant's log, from 0. */
  readonly index: number;
  /** Hash of the entry before, or `genesisHash` for the first. */
  readonly prevHash: string;
  /** SHA-256 (hex) of this entry's fields and `prevHash`. */
  readonly hash: string;
}

/** The `prevHash` of the first entry. */
export const genesisHash = "0".repeat(64);

/** Where the chain ends: the last index and its hash (`index -1` for an empty log). */
export interface ChainHead {
  readonly index: number;
  readonly hash: string;
}

/** The head of an empty log. */
export const emptyHead: ChainHead = Object.freeze({ index: -1, hash: genesisHash });

/** Computes an entry's hash from its fields (a fixed order, so the hash never depends on key order). */
export function hashAuditEntry(entry: Omit<AuditEntry, "hash">): string {
  const fields = [
    entry.index,
    entry.time,
    entry.requestId,
    entry.principal,
    entry.operation,
    entry.collection,
    entry.filterShape,
    entry.resultCount,
    entry.outcome,
    entry.errorCode,
    entry.prevHash,
  ];
  // One-shot hashing (no Hash object per entry); same bytes as createHash().update(text, "utf8").
  return oneShotHash("sha256", JSON.stringify(fields), "hex");
}

/** Chains drafts after `head`, returning the entries and the new head. */
export function chainAuditEntries(
  drafts: readonly AuditDraft[],
  head: ChainHead,
): { readonly entries: AuditEntry[]; readonly head: ChainHead } {
  const entries: AuditEntry[] = [];
  let { index, hash } = head;
  for (const draft of drafts) {
    index += 1;
    // Built once, in its final shape; `hashAuditEntry` reads every field but `hash`.
    const entry: { -readonly [Field in keyof AuditEntry]: AuditEntry[Field] } = {
      index,
      time: draft.time,
      requestId: draft.requestId,
      principal: draft.principal,
      operation: draft.operation,
      collection: draft.collection,
      filterShape: draft.filterShape,
      resultCount: draft.resultCount,
      outcome: draft.outcome,
      errorCode: draft.errorCode,
      prevHash: hash,
      hash: "",
    };
    hash = hashAuditEntry(entry);
    entry.hash = hash;
    entries.push(entry);
  }
  return { entries, head: { index, hash } };
}

/** The result of `verifyAuditChain` and `admin.verifyAudit`. */
export interface AuditVerification {
  readonly ok: boolean;
  /** Position of the first entry that does not verify, when not ok. */
  readonly firstBadIndex?: number;
  /** How many entries were checked. */
  readonly entries: number;
}

/** Checks a whole log, in stored order: positions, links and hashes. */
export function verifyAuditChain(entries: readonly unknown[]): AuditVerification {
  let prevHash = genesisHash;
  for (let position = 0; position < entries.length; position++) {
    const entry = entries[position] as Partial<AuditEntry> | null;
    if (
      entry === null ||
      typeof entry !== "object" ||
      entry.index !== position ||
      entry.prevHash !== prevHash ||
      typeof entry.hash !== "string" ||
      entry.hash !== hashAuditEntry(entry as AuditEntry)
    ) {
      return { ok: false, firstBadIndex: position, entries: entries.length };
    }
    prevHash = entry.hash;
  }
  return { ok: true, entries: entries.length };
}
