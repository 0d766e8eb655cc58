/**
 * Manifests: a service's declaration of the collections it owns, their schema hints and
 * indexes, and the access it asks for in other services' collections (seed 004's
 * `dataRequirements`). Accepted as YAML text or as an object, either the whole manifest
 * (`spec.dataRequirements`), an object with `dataRequirements`, or the requirements themselves.
 *
 * The requirements are checked strictly (unknown fields are errors, so typos never pass
 * silently); the rest of a full manifest (endpoints, config schema, ...) belongs to other tools
 * and is ignored.
 */

import { ValidationError } from "@agentvault/core";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const source = "manifest";

/** Longest YAML manifest accepted, in characters. */
export const maxManifestLength = 256 * 1024;

const fieldName = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (path) =>
      !path.includes("\u0000") &&
      path.split(".").every((segment) => segment !== "" && !segment.startsWith("$")),
    {
      message: "Every segment of a field path must be non-empty and not start with '$'",
    },
  );

/** The index kinds of seed 004. */
export const indexTypeSchema = z.enum(["ascending", "descending", "compound", "unique", "text"]);

/** One declared index. */
export const manifestIndexSchema = z
  .object({
    fields: z.array(fieldName).min(1).max(16),
    type: indexTypeSchema.optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/)
      .optional(),
  })
  .strict();

/** One collection the service owns. */
export const manifestCollectionSchema = z
  .object({
    name: z.string().min(1).max(120),
    description: z.string().max(2000).optional(),
    schemaHint: z
      .record(fieldName, z.enum(["string", "number", "boolean", "datetime", "object", "array"]))
      .optional(),
    indexes: z.array(manifestIndexSchema).max(32).optional(),
  })
  .strict();

/** One request for access to another service's collection. */
export const accessRequestSchema = z
  .object({
    collection: z.string().min(1).max(120),
    permission: z.enum(["read", "write", "admin"]),
    reason: z.string().max(2000).optional(),
  })
  .strict();

/** `dataRequirements`. */
export const dataRequirementsSchema = z
  .object({
    enabled: z.boolean().optional(),
    collections: z.array(manifestCollectionSchema).max(256).optional(),
    accessRequests: z.array(accessRequestSchema).max(256).optional(),
  })
  .strict();

/** The parsed, checked requirements. */
export type DataRequirements = z.infer<typeof dataRequirementsSchema>;
/** One declared collection. */
export type ManifestCollection = z.infer<typeof manifestCollectionSchema>;
/** One declared index. */
export type ManifestIndex = z.infer<typeof manifestIndexSchema>;

/** A manifest, reduced to what the broker uses. */
export interface ParsedManifest {
  /** `metadata.name`: the service the manifest is for, when it says. */
  readonly service: string | undefined;
  readonly requirements: DataRequirements;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function readYaml(text: string): unknown {
  if (text.length > maxManifestLength) {
    throw new ValidationError(`Manifests are at most ${maxManifestLength} characters`, "manifest", {
      source,
    });
  }
  try {
    // Aliases are capped so a "billion laughs" document cannot expand without bound.
    return parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    throw new ValidationError("The manifest is not valid YAML", "manifest", {
      source,
      cause: error,
    });
  }
}

function describeIssues(error: z.ZodError): { message: string; path: string } {
  const issue = error.issues[0];
  const path = issue ? issue.path.map(String).join(".") : "";
  return { message: issue?.message ?? "Invalid manifest", path };
}

/**
 * Parses a manifest given as YAML text or as an object.
 * @throws ValidationError naming the first offending field.
 * @example
 * parseManifest(`
 * metadata: { name: billing }
 * spec:
 *   dataRequirements:
 *     collections:
 *       - name: events
 *         indexes: [{ fields: [timestamp], type: ascending }]
 * `);
 */
export function parseManifest(input: unknown): ParsedManifest {
  const document = typeof input === "string" ? readYaml(input) : input;
  if (!isRecord(document)) {
    throw new ValidationError("A manifest must be a mapping", "manifest", { source });
  }
  const metadata = document.metadata;
  const service =
    isRecord(metadata) && typeof metadata.name === "string" ? metadata.name : undefined;
  const spec = document.spec;
  let raw: unknown;
  let path: string;
  if (isRecord(spec) && Object.hasOwn(spec, "dataRequirements")) {
    raw = spec.dataRequirements;
    path = "spec.dataRequirements";
  } else if (Object.hasOwn(document, "dataRequirements")) {
    raw = document.dataRequirements;
    path = "dataRequirements";
  } else {
    raw = document;
    path = "";
  }
  const result = dataRequirementsSchema.safeParse(raw);
  if (!result.success) {
    const issue = describeIssues(result.error);
    const full = [path, issue.path].filter((part) => part !== "").join(".");
    throw new ValidationError(`Invalid manifest: ${issue.message}`, full, {
      source,
      cause: result.error,
    });
  }
  return { service, requirements: result.data };
}
