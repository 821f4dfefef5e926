/**
 * Merges look-ups of single keys into calls for many. A key asked for while this loader's last call
 * is still held back (waiting for the provider's budget, or in flight when the caller cannot tell
 * when it left) waits for the next call, which carries every key asked for meanwhile; otherwise it
 * goes at once (after the current microtask, so keys asked for together share it). So a look-up
 * costs no more time than the budget imposes anyway, an isolated one costs what it did, and N pushes
 * of one tenant running while the budget is spent share one read. Every answer comes from a call
 * sent after it was asked for: a merged read is never staler than a call of its own, which is what a
 * check just before committing needs.
 *
 * `fetchMany` answers the keys it was given; a key it leaves out is answered `undefined`. It calls
 * `sent` when its request leaves (after the budget let it through); if it never does, the next call
 * waits for this one to finish. A failed call fails every key it carried (each caller retries as it
 * would have on its own).
 */
export function coalesced<K, V>(
  fetchMany: (keys: K[], sent: () => void) => Promise<Map<K, V>>,
  maxKeys = 50,
): (key: K) => Promise<V | undefined> {
  type Waiter = { key: K; resolve: (value: V | undefined) => void; reject: (error: unknown) => void };
  let queue: Waiter[] = [];
  /** A call has been started and has not left yet: new keys wait for the next one. */
  let holding = false;

  const pump = () => {
    if (holding || queue.length === 0) return;
    const keys = [...new Set(queue.map((w) => w.key))].slice(0, maxKeys);
    const carried = new Set(keys);
    const group = queue.filter((w) => carried.has(w.key));
    queue = queue.filter((w) => !carried.has(w.key));
    holding = true;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      holding = false;
      queueMicrotask(pump);
    };
    fetchMany(keys, release)
      .then(
        (found) => {
          for (const w of group) w.resolve(found.get(w.key));
        },
        (error: unknown) => {
          for (const w of group) w.reject(error);
        },
      )
      .finally(release);
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      queue.push({ key, resolve, reject });
      queueMicrotask(pump);
    });
}
