/**
 * Runs one remote call: under a deadline (the call's `timeoutMs`, retries included) and the
 * caller's `AbortSignal`, with errors turned into AgentVault classes. The call's promise is
 * raced against both, because a call batched with others only stops its HTTP request when every
 * call of the batch is aborted; the caller must not wait for the others.
 */

import { ProviderUnavailableError } from "@agentvault/core";
import type { CallOptions, ResolvedClientOptions } from "./client-options.js";
import { toAgentVaultError } from "./remote-errors.js";
import type { AgentVaultTrpcClient } from "./trpc-connection.js";

const source = "client";

/** The state every view of one client shares (`withOptions` views included). */
export interface ClientState {
  readonly trpc: AgentVaultTrpcClient;
  readonly options: ResolvedClientOptions;
  closed: boolean;
}

/** A call: given the tRPC client and the signal to pass to it. */
export type RemoteCall<T> = (trpc: AgentVaultTrpcClient, signal: AbortSignal) => Promise<T>;

/** Runs remote calls for one client view. */
export class CallRunner {
  readonly state: ClientState;
  readonly callOptions: CallOptions;

  constructor(state: ClientState, callOptions: CallOptions = {}) {
    this.state = state;
    this.callOptions = callOptions;
  }

  /** Runs `call`; rejects with an AgentVault error, or the abort reason when aborted. */
  async run<T>(call: RemoteCall<T>): Promise<T> {
    if (this.state.closed) {
      throw new ProviderUnavailableError("The vault client is closed", { source });
    }
    const userSignal = this.callOptions.signal;
    userSignal?.throwIfAborted();
    const timeoutMs = this.callOptions.timeoutMs ?? this.state.options.timeoutMs;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ProviderUnavailableError(
          `No answer from the AgentVault server within ${timeoutMs} ms`,
          { source },
        );
        controller.abort(error);
        reject(error);
      }, timeoutMs);
      onAbort = () => {
        controller.abort(userSignal?.reason);
        reject(userSignal?.reason);
      };
      userSignal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([call(this.state.trpc, controller.signal), stopped]);
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw toAgentVaultError(error);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) userSignal?.removeEventListener("abort", onAbort);
    }
  }
}
