/**
 * Small assertion helpers shared by the areas: error kinds checked with `isInstance` (so they
 * work across duplicate installs), and id lists compared as sets.
 */

import type { expect as vitestExpect } from "vitest";

/** An AgentVault error class: anything with a name and a static `isInstance`. */
export interface ErrorKind {
  readonly name: string;
  isInstance(error: unknown): boolean;
}

/** A short description of a thrown value for assertion messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` (${code})` : ""}: ${error.message}`;
  }
  return `a non-error value: ${String(error)}`;
}

/** Runs `action` and returns what it threw (or rejected with); fails when it succeeds. */
export async function caught(action: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = await action();
  } catch (error) {
    return error;
  }
  let shown: string;
  try {
    shown = JSON.stringify(result) ?? String(result);
  } catch {
    shown = String(result);
  }
  throw new Error(`Expected the call to fail, but it returned ${shown.slice(0, 200)}`);
}

/** Asserts that `action` fails with an error of `kind` and returns the error. */
export async function expectErrorKind(
  expect: typeof vitestExpect,
  action: () => unknown,
  kind: ErrorKind,
): Promise<unknown> {
  const error = await caught(action);
  expect(kind.isInstance(error), `expected ${kind.name}, got ${describeError(error)}`).toBe(true);
  return error;
}

/** Asserts that `action` fails with an error of one of `kinds`. */
export async function expectOneOfErrorKinds(
  expect: typeof vitestExpect,
  action: () => unknown,
  kinds: readonly ErrorKind[],
): Promise<unknown> {
  const error = await caught(action);
  const names = kinds.map((kind) => kind.name).join(" or ");
  const matched = kinds.some((kind) => kind.isInstance(error));
  expect(matched, `expected ${names}, got ${describeError(error)}`).toBe(true);
  return error;
}

/** The `_id`s of documents, sorted, for comparing results as sets. */
export function idSet(documents: readonly { readonly _id?: unknown }[]): string[] {
  return documents.map((document) => String(document._id)).sort();
}

/** The `_id`s of documents in their order. */
export function idList(documents: readonly { readonly _id?: unknown }[]): string[] {
  return documents.map((document) => String(document._id));
}

/** A copy of a document without its `_id`. */
export function withoutId<T extends { readonly _id?: unknown }>(document: T): Omit<T, "_id"> {
  const { _id, ...rest } = document;
  return rest;
}

/** Waits `milliseconds` of real time. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
