/**
 * S3 clients for the tests that watch or steer the provider's requests: a middleware sees every
 * command (its name and input) before it is sent, and may run code or fail it.
 */

import { S3Client } from "@aws-sdk/client-s3";
import type { TestS3Server } from "./s3rver-server.js";

/** A command about to be sent. */
export interface SentCommand {
  readonly name: string;
  readonly input: { readonly [field: string]: unknown };
}

/** Called before each command; may throw to fail it, or do work first. */
export type CommandHook = (command: SentCommand) => Promise<void> | void;

/** A client of `server` whose commands are recorded in `sent` and passed through `hook`. */
export function instrumentedClient(server: TestS3Server, hook?: CommandHook) {
  const client = new S3Client({
    region: "us-east-1",
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
  });
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = {
        name: String(context.commandName),
        input: args.input as { readonly [field: string]: unknown },
      };
      sent.push(command);
      await hook?.(command);
      return next(args);
    },
    { step: "initialize", name: "agentvaultTestHook" },
  );
  return { client, sent };
}

/** An error shaped like the SDK's answer to a failed `If-Match` / `If-None-Match`. */
export function preconditionFailed(): Error {
  return Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), {
    name: "PreconditionFailed",
    $metadata: { httpStatusCode: 412 },
  });
}
