/**
 * AgentVault's error classes. The base class and the filter errors come from
 * `@agentvault/query`; this file adds the kinds the core, providers and server throw.
 * The server maps codes to tRPC codes in one place and the client maps them back, so a caller
 * sees the same class whether its vault is embedded or remote.
 */

import {
  AgentVaultError,
  type AgentVaultErrorOptions,
  codeGuard,
  FilterValidationError,
  UnsupportedOperatorError,
} from "@agentvault/query";

export {
  AgentVaultError,
  type AgentVaultErrorOptions,
  FilterValidationError,
  UnsupportedOperatorError,
};

/** A document, key, collection name, option or request that is not acceptable. */
export class ValidationError extends AgentVaultError {
  static readonly code = "VALIDATION_FAILED";
  /** Where in the input the problem is (a field path or option name), when known. */
  readonly path: string;
  constructor(message: string, path = "", options: AgentVaultErrorOptions = {}) {
    super(ValidationError.code, path ? `${message} (at ${path})` : message, options);
    this.path = path;
  }
  static override isInstance = codeGuard<ValidationError>(ValidationError.code);
}

/** Something that must exist does not (a record, a key-value store, a collection, a key id). */
export class NotFoundError extends AgentVaultError {
  static readonly code = "NOT_FOUND";
  constructor(message: string, options: AgentVaultErrorOptions = {}) {
    super(NotFoundError.code, message, options);
  }
  static override isInstance = codeGuard<NotFoundError>(NotFoundError.code);
}

/** A write that would overwrite what must not be overwritten (for example `put` with `ifAbsent`). */
export class ConflictError extends AgentVaultError {
  static readonly code = "CONFLICT";
  constructor(message: string, options: AgentVaultErrorOptions = {}) {
    super(ConflictError.code, message, options);
  }
  static override isInstance = codeGuard<ConflictError>(ConflictError.code);
}

/** The caller is known but not allowed to do this. */
export class PermissionDeniedError extends AgentVaultError {
  static readonly code = "PERMISSION_DENIED";
  constructor(message: string, options: AgentVaultErrorOptions = {}) {
    super(PermissionDeniedError.code, message, options);
  }
  static override isInstance = codeGuard<PermissionDeniedError>(PermissionDeniedError.code);
}

/** The caller could not be identified (missing, unknown or revoked API key). */
export class AuthenticationError extends AgentVaultError {
  static readonly code = "UNAUTHENTICATED";
  constructor(message: string, options: AgentVaultErrorOptions = {}) {
    super(AuthenticationError.code, message, options);
  }
  static override isInstance = codeGuard<AuthenticationError>(AuthenticationError.code);
}

/** The backend cannot be reached or did not answer in time. Safe to retry later. */
export class ProviderUnavailableError extends AgentVaultError {
  static readonly code = "PROVIDER_UNAVAILABLE";
  constructor(message: string, options: AgentVaultErrorOptions = {}) {
    super(ProviderUnavailableError.code, message, options);
  }
  static override isInstance = codeGuard<ProviderUnavailableError>(ProviderUnavailableError.code);
}

/** A data manager call named a provider that was never registered. */
export class ProviderNotRegisteredError extends AgentVaultError {
  static readonly code = "PROVIDER_NOT_REGISTERED";
  /** The name that was asked for. */
  readonly provider: string;
  constructor(
    provider: string,
    registered: readonly string[],
    options: AgentVaultErrorOptions = {},
  ) {
    const known = registered.length > 0 ? registered.join(", ") : "none";
    super(
      ProviderNotRegisteredError.code,
      `Provider "${provider}" is not registered (registered: ${known}).`,
      options,
    );
    this.provider = provider;
  }
  static override isInstance = codeGuard<ProviderNotRegisteredError>(
    ProviderNotRegisteredError.code,
  );
}

/** The provider lacks a capability the call needs (transactions, vector search, ...). */
export class UnsupportedCapabilityError extends AgentVaultError {
  static readonly code = "UNSUPPORTED_CAPABILITY";
  /** The capability, for example `transactions`. */
  readonly capability: string;
  constructor(capability: string, message: string, options: AgentVaultErrorOptions = {}) {
    super(UnsupportedCapabilityError.code, message, options);
    this.capability = capability;
  }
  static override isInstance = codeGuard<UnsupportedCapabilityError>(
    UnsupportedCapabilityError.code,
  );
}

/** A configured limit was exceeded (batch size, result size, value size, rate). */
export class LimitExceededError extends AgentVaultError {
  static readonly code = "LIMIT_EXCEEDED";
  /** Which limit, for example `batchSize` or `rate`. */
  readonly limit: string;
  constructor(limit: string, message: string, options: AgentVaultErrorOptions = {}) {
    super(LimitExceededError.code, message, options);
    this.limit = limit;
  }
  static override isInstance = codeGuard<LimitExceededError>(LimitExceededError.code);
}

/** Stored or imported data failed an integrity check (bad checksum, tampered, undecryptable). */
export class IntegrityError extends AgentVaultError {
  static readonly code = "INTEGRITY_FAILED";
  constructor(message: string, options: AgentVaultErrorOptions = {}) {
    super(IntegrityError.code, message, options);
  }
  static override isInstance = codeGuard<IntegrityError>(IntegrityError.code);
}
