/**
 * Runs async work over a list with at most `concurrency` calls in flight, keeping result order.
 * Providers that read or write one record per request (files, S3 objects) use it to overlap
 * requests without opening thousands at once. Hand-written rather than `p-map`, whose
 * rejection does not wait for the calls in flight: callers here clean up after every call that
 * started (temporary files, partial batches), so they must know when the last one has settled.
 */

/**
 * Maps `items` through `fn`, running at most `concurrency` calls at once (at least one). After
 * a failure no new call starts; once the calls in flight have settled, it rejects with the
 * first error.
 *
 * @example
 * const records = await mapWithConcurrency(fileNames, 32, readRecordFile);
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
  await Promise.all(workers);
  if (failure !== undefined) throw failure.error;
  return results;
}
