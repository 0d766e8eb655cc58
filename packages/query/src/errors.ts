/**
 * The root of AgentVault's error hierarchy. It lives in the query package because that is the
 * lowest layer; `@agentvault/core` re-exports it and adds the provider and server kinds.
 *
 * Each class carries a stable `code` and a `Symbol.for` marker, so `isInstance` works even when
 * two copies of a package are installed side by side (where `instanceof` would fail).
 */

const marker = Symbol.for("agentvault.error");

/** Options every AgentVault error accepts. */
export interface AgentVaultErrorOptions {
  /** The underlying error, kept for debugging; never shown to remote callers. */
  cause?: unknown;
  /** Where the error happened, for example `sqlite` or `server`; becomes the message prefix. */
  source?: string;
}

/** The base class of every error AgentVault throws on purpose. */
export class AgentVaultError extends Error {
  /** A stable machine-readable code, such as `FILTER_INVALID`. */
  readonly code: string;
  readonly [marker] = true;

  constructor(code: string, message: string, options: AgentVaultErrorOptions = {}) {
    const prefix = options.source ? `[agentvault] [${options.source}]` : "[agentvault]";
    super(
      `${prefix} ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.name = new.target.name;
  }

  /** True for any AgentVault error, from any installed copy of the package. */
  static isInstance(error: unknown): error is AgentVaultError {
    return typeof error === "object" && error !== null && marker in error;
  }
}

/**
 * Builds the `isInstance` check for a subclass from its code, so it also works across copies.
 * @internal
 */
export function codeGuard<T extends AgentVaultError>(code: string) {
  return (error: unknown): error is T => AgentVaultError.isInstance(error) && error.code === code;
}

/** A filter, sort, projection or update that is malformed or not allowed. */
export class FilterValidationError extends AgentVaultError {
  static readonly code = "FILTER_INVALID";
  /** The dot path inside the filter where the problem is, for example `$or.1.price.$in`. */
  readonly path: string;

  constructor(message: string, path: string, options: AgentVaultErrorOptions = {}) {
    super(FilterValidationError.code, path ? `${message} (at ${path})` : message, options);
    this.path = path;
  }

  static override isInstance = codeGuard<FilterValidationError>(FilterValidationError.code);
}

/** An operator that this component does not support (for example on one provider). */
export class UnsupportedOperatorError extends AgentVaultError {
  static readonly code = "UNSUPPORTED_OPERATOR";
  /** The operator, with its `$`, for example `$where`. */
  readonly operator: string;

  constructor(operator: string, message: string, options: AgentVaultErrorOptions = {}) {
    super(UnsupportedOperatorError.code, message, options);
    this.operator = operator;
  }

  static override isInstance = codeGuard<UnsupportedOperatorError>(UnsupportedOperatorError.code);
}
