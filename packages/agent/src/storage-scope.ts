/**
 * The access rules of one agent: which providers and collections it declared, and whether it
 * may write. Every storage call asks the scope first; anything outside the declaration is a
 * `PermissionDeniedError` naming what was declared, before any backend is touched.
 */

import { PermissionDeniedError, ValidationError } from "@agentvault/core";
import type { StorageOptions, StoragePermission } from "./agent-storage-types.js";

const source = "agent";
const providerNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function names(value: unknown, what: string, minimum: number): string[] {
  if (!Array.isArray(value) || value.length < minimum) {
    throw new ValidationError(
      `${what} must be a list of at least ${minimum} name${minimum === 1 ? "" : "s"}`,
      what,
      { source },
    );
  }
  for (const name of value) {
    if (typeof name !== "string" || name === "") {
      throw new ValidationError(`${what} must hold non-empty strings`, what, { source });
    }
  }
  return [...new Set(value as string[])];
}

function checkPermission(value: unknown, path: string): StoragePermission {
  if (value !== "read" && value !== "write") {
    throw new ValidationError('A permission is "read" or "write"', path, { source });
  }
  return value;
}

/** The checked declaration of one agent. */
export class StorageScope {
  /** Who the scope belongs to, for messages. */
  readonly agent: string;
  readonly providers: readonly string[];
  readonly collections: readonly string[] | undefined;
  readonly #collectionSet: ReadonlySet<string> | undefined;
  readonly #permissions: ReadonlyMap<string, StoragePermission>;
  readonly #defaultPermission: StoragePermission;

  constructor(options: StorageOptions, agent: string) {
    if (options === null || typeof options !== "object") {
      throw new ValidationError("Storage options must name the providers", "options", { source });
    }
    this.agent = agent;
    this.providers = names(options.providers, "providers", 1);
    for (const provider of this.providers) {
      if (!providerNamePattern.test(provider)) {
        throw new ValidationError(`"${provider}" is not a provider name`, "providers", { source });
      }
    }
    this.collections =
      options.collections === undefined ? undefined : names(options.collections, "collections", 1);
    this.#collectionSet = this.collections === undefined ? undefined : new Set(this.collections);
    const permissions = new Map<string, StoragePermission>();
    let fallback: StoragePermission = "write";
    if (typeof options.permissions === "string") {
      fallback = checkPermission(options.permissions, "permissions");
    } else if (options.permissions !== undefined) {
      for (const [name, permission] of Object.entries(options.permissions)) {
        const checked = checkPermission(permission, `permissions.${name}`);
        if (name === "*") fallback = checked;
        else permissions.set(name, checked);
      }
    }
    this.#permissions = permissions;
    this.#defaultPermission = fallback;
  }

  #deny(message: string): never {
    throw new PermissionDeniedError(`Agent "${this.agent}" ${message}`, { source });
  }

  /** The provider to use: `provider`, or the first declared one. @throws PermissionDeniedError */
  provider(provider: string | undefined): string {
    const name = provider ?? (this.providers[0] as string);
    if (!this.providers.includes(name)) {
      this.#deny(
        `did not declare the provider "${String(name)}" (declared: ${this.providers.join(", ")})`,
      );
    }
    return name;
  }

  /** Whether the collection was declared (or every collection is allowed). */
  declares(collection: string): boolean {
    return this.#collectionSet === undefined || this.#collectionSet.has(collection);
  }

  /** The permission held on a collection. */
  permissionOn(collection: string): StoragePermission {
    return this.#permissions.get(collection) ?? this.#defaultPermission;
  }

  /** Checks a call on a collection. @throws PermissionDeniedError */
  check(collection: string, needed: StoragePermission): void {
    if (typeof collection !== "string" || !this.declares(collection)) {
      this.#deny(
        `did not declare the collection "${String(collection)}" (declared: ${this.collections?.join(", ")})`,
      );
    }
    if (needed === "write" && this.permissionOn(collection) === "read") {
      this.#deny(`may only read "${collection}"`);
    }
  }

  /** Checks a call on every collection at once (export, import). @throws PermissionDeniedError */
  checkWhole(needed: StoragePermission, operation: string): void {
    if (this.collections !== undefined) {
      this.#deny(`declared its collections, so it cannot ${operation} the whole vault`);
    }
    const readOnly =
      this.#defaultPermission === "read" ||
      [...this.#permissions.values()].some((permission) => permission === "read");
    if (needed === "write" && readOnly)
      this.#deny(`may not write everywhere, so it cannot ${operation}`);
  }
}
