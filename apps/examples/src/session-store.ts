/**
 * Seeds 002 and 003: user sessions with a time to live. A session is stored with a TTL, touched
 * while the user is active, renewed by storing it again, and never returned once expired:
 * lookups, counts and queries all stop seeing it.
 */

import type { Example, ExampleEnvironment } from "./example-environment.js";

interface Session {
  userId: string;
  workspace: string;
  startedAt: Date;
  lastSeen: Date;
  preferences: { autoSave: boolean; showDebug: boolean };
}

/** Opens, touches, renews and outlives sessions. */
export async function sessionStoreExample(environment: ExampleEnvironment) {
  const sessions = environment.vault.collection<Session>("sessions");
  await sessions.clear();
  const open = async (id: string, userId: string, ttlSeconds: number) => {
    const now = environment.now();
    await sessions.store(
      {
        userId,
        workspace: "project_alpha",
        startedAt: now,
        lastSeen: now,
        preferences: { autoSave: true, showDebug: false },
      },
      { key: id, ttl: ttlSeconds },
    );
  };
  await open("s-alice", "alice", 1);
  await open("s-bob", "bob", 1);
  await open("s-carol", "carol", 60);

  await environment.sleep(400);
  const touched = await sessions.update("s-alice", { lastSeen: environment.now() });
  // Renewing a session is storing it again with a new TTL.
  const alice = await sessions.retrieve("s-alice");
  if (alice !== null) {
    const { _id, ...body } = alice;
    await sessions.store(body, { key: _id, ttl: 60 });
  }
  const activeBefore = await sessions.count();

  await environment.sleep(1200);
  return {
    touched,
    activeBefore,
    activeAfter: await sessions.count(),
    bobAfter: await sessions.retrieve("s-bob"),
    bobUpdate: await sessions.update("s-bob", { lastSeen: environment.now() }),
    aliceKept: (await sessions.retrieve("s-alice"))?.userId ?? null,
    workspaceUsers: (
      await sessions.query({ workspace: "project_alpha" }, { sort: { userId: 1 } })
    ).map((session) => session.userId),
    debugOff: await sessions.count({ "preferences.showDebug": false }),
  };
}

/** The example, for `main.ts` and the tests. */
export const sessionStore: Example = {
  name: "session-store",
  seed: "003",
  run: sessionStoreExample,
};
