/**
 * Best-effort transactions across providers (seed 001's pseudo-transactions), for
 * `dataManager.transaction(fn, { mode: "best-effort" })`.
 *
 * Before each write, the transaction reads the record it is about to change and records how to
 * undo the write: delete what a store created, put back what a store replaced or a delete
 * removed (value, metadata, expiry, vector and timestamps). When `fn` throws, the undo steps run
 * in reverse order; each that fails is reported rather than stopping the others, and the
 * original error is rethrown wrapped in a `TransactionRolledBackError` carrying the report.
 *
 * This is not isolation: other writers see each change as it happens, and an undo overwrites
 * whatever another writer put at the same key in between.
 */

import { AgentVaultError, type AgentVaultErrorOptions, codeGuard } from "@agentvault/query";
import type { DataLocation, DataReference } from "./data-reference.js";
import { toDataLocation } from "./data-reference.js";
import { ProviderUnavailableError, ValidationError } from "./errors.js";
import { generateKey } from "./keys.js";
import type { StorageProvider, StoredRecord } from "./provider.js";
import { validateCollectionName, validateKey } from "./validation.js";

/** One write of a best-effort transaction and how it is undone. */
export interface CompensationStep {
  readonly action: "store" | "delete";
  /** The registered provider name. */
  readonly provider: string;
  readonly collection: string;
  readonly key: string;
  /** `delete` when the write created the record, `restore` when it replaced or removed one. */
  readonly undo: "delete" | "restore";
}

/** An undo step that failed. */
export interface CompensationFailure extends CompensationStep {
  readonly error: unknown;
}

/** What a rollback did. */
export interface CompensationReport {
  /** Steps undone, in the order they were undone (the reverse of the writes). */
  readonly undone: readonly CompensationStep[];
  /** Steps that could not be undone: their writes are still in place. */
  readonly failed: readonly CompensationFailure[];
}

/** A best-effort transaction failed; its writes were undone as far as possible. */
export class TransactionRolledBackError extends AgentVaultError {
  static readonly code = "TRANSACTION_ROLLED_BACK";
  /** What was undone and what could not be. The error `fn` threw is the `cause`. */
  readonly report: CompensationReport;
  constructor(report: CompensationReport, options: AgentVaultErrorOptions = {}) {
    const total = report.undone.length + report.failed.length;
    const failed = report.failed.length;
    super(
      TransactionRolledBackError.code,
      `The transaction failed; undid ${report.undone.length} of ${total} writes` +
        (failed > 0 ? `, ${failed} could not be undone (see report)` : ""),
      options,
    );
    this.report = report;
  }
  static override isInstance = codeGuard<TransactionRolledBackError>(
    TransactionRolledBackError.code,
  );
}

/** The data manager calls a best-effort transaction builds on. */
export interface CompensatedManager {
  getProvider(name: string): StorageProvider;
  delete(reference: DataLocation): Promise<boolean>;
}

interface PendingStep extends CompensationStep {
  readonly previous: StoredRecord | null;
}

const source = "transaction";

/** Records the undo steps of one best-effort transaction and runs them on failure. */
export class CompensationLog {
  readonly #manager: CompensatedManager;
  readonly #steps: PendingStep[] = [];
  #finished = false;

  constructor(manager: CompensatedManager) {
    this.#manager = manager;
  }

  #checkOpen(): void {
    if (this.#finished) {
      throw new ProviderUnavailableError("The transaction has already finished", { source });
    }
  }

  async #remember(action: "store" | "delete", location: DataLocation): Promise<void> {
    const provider = this.#manager.getProvider(location.provider);
    const collection = validateCollectionName(location.collection, { source });
    const key = validateKey(location.key, { source });
    const previous = await provider.get(collection, key);
    this.#steps.push({
      action,
      provider: location.provider,
      collection,
      key,
      undo: previous === null ? "delete" : "restore",
      previous,
    });
  }

  /** Stores with a key chosen up front, so the undo step exists before the write starts. */
  async store<
    O extends { provider: string; key?: string | undefined; collection?: string | undefined },
  >(
    options: O,
    write: (options: O & { key: string; collection: string }) => Promise<DataReference>,
  ): Promise<DataReference> {
    this.#checkOpen();
    if (options === null || typeof options !== "object") {
      throw new ValidationError("store needs options naming the provider", "options", { source });
    }
    const collection = options.collection ?? "data";
    const key = options.key ?? generateKey(validateCollectionName(collection, { source }));
    await this.#remember("store", { provider: options.provider, collection, key });
    return write({ ...options, key, collection });
  }

  /** Deletes, remembering the record first (nothing to undo when it does not exist). */
  async delete(reference: DataLocation | string): Promise<boolean> {
    this.#checkOpen();
    const location = toDataLocation(reference);
    await this.#remember("delete", location);
    if (this.#steps.at(-1)?.previous === null) this.#steps.pop();
    return this.#manager.delete(location);
  }

  /** Ends the transaction; nothing will be undone. */
  commit(): void {
    this.#finished = true;
  }

  /** Undoes every recorded write, newest first, and reports what happened. */
  async rollback(): Promise<CompensationReport> {
    this.#finished = true;
    const undone: CompensationStep[] = [];
    const failed: CompensationFailure[] = [];
    for (const { previous, ...step } of this.#steps.reverse()) {
      try {
        const provider = this.#manager.getProvider(step.provider);
        if (previous === null) await provider.delete(step.collection, step.key);
        else await provider.put(step.collection, previous);
        undone.push(step);
      } catch (error) {
        failed.push({ ...step, error });
      }
    }
    return { undone, failed };
  }
}
