import { describe, expect, it } from "vitest";
import { KeyedMutex } from "../src/index.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("KeyedMutex", () => {
  it("runs callers of one key one at a time, in arrival order", async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const gate = deferred();
    const first = mutex.run("k", async () => {
      events.push("first start");
      await gate.promise;
      events.push("first end");
      return 1;
    });
    const second = mutex.run("k", async () => {
      events.push("second");
      return 2;
    });
    const third = mutex.run("k", async () => {
      events.push("third");
      return 3;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(events).toEqual(["first start"]);
    gate.resolve();
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
    expect(events).toEqual(["first start", "first end", "second", "third"]);
    expect(mutex.size).toBe(0);
  });

  it("lets different keys run at the same time", async () => {
    const mutex = new KeyedMutex();
    const gate = deferred();
    const held = mutex.run("a", () => gate.promise);
    expect(await mutex.run("b", async () => "b ran")).toBe("b ran");
    gate.resolve();
    await held;
  });

  it("releases a key when its holder throws", async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run("k", async () => {
      throw new Error("boom");
    });
    const next = mutex.run("k", async () => "next");
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("next");
    expect(mutex.size).toBe(0);
  });

  it("50 concurrent read-modify-writes of one key lose no update", async () => {
    const mutex = new KeyedMutex();
    let counter = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        mutex.run("counter", async () => {
          const read = counter;
          await new Promise((resolve) => setTimeout(resolve, 0));
          counter = read + 1;
        }),
      ),
    );
    expect(counter).toBe(50);
  });

  it("runAll takes overlapping key sets in sorted order, so they never deadlock", async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const runs = Array.from({ length: 20 }, (_, index) => {
      const keys = index % 2 === 0 ? ["x", "y", "z", "x"] : ["z", "y"];
      return mutex.runAll(keys, async () => {
        order.push(`start ${index}`);
        await new Promise((resolve) => setTimeout(resolve, 0));
        order.push(`end ${index}`);
      });
    });
    await Promise.all(runs);
    // Every run held "y" and "z", so runs never overlapped.
    for (let index = 0; index < order.length; index += 2) {
      expect(order[index]?.replace("start", "end")).toBe(order[index + 1]);
    }
    expect(order).toHaveLength(40);
    expect(mutex.size).toBe(0);
  });
});
