/**
 * Starts s3rver (an S3-compatible server that keeps objects in a folder) for the tests, in a
 * child process, on a free port chosen by the OS, in a fresh temporary folder, with one bucket.
 */

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";

/** A running s3rver and how to reach it. */
export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** A client of its own, for tests that look at the bucket directly. */
  readonly client: S3Client;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL("./fixtures/s3rver-process.mjs", import.meta.url));

/** Starts s3rver with the bucket `bucket`. */
export async function startS3Server(bucket = "agentvault-test"): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), "agentvault-s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", script, directory, bucket], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      const line = output.split("\n")[0];
      if (output.includes("\n") && line !== undefined)
        resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver accepts these fixed development credentials.
  const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
  const client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
  return {
    endpoint,
    bucket,
    credentials,
    client,
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
