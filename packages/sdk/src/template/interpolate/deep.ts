/**
 * Recursion without the JS stack: a recursive function is written as a
 * generator that yields the generators of its recursive calls
 * (`const v = yield f(x)`); runDeep runs them on an explicit stack, so
 * templates nest as deep as memory allows, as in Go (whose goroutine stacks
 * grow to 1 GB) instead of overflowing V8's ~1 MB stack.
 */

/** A computation returning T that may yield sub-computations. */
export type Deep<T> = Generator<Deep<unknown>, T, unknown>;

/** Runs `root` to completion; exceptions travel to the caller's `yield` as they would through calls. */
export function runDeep<T>(root: Deep<T>): T {
  const stack: Deep<unknown>[] = [root];
  let input: unknown;
  let error: unknown;
  let failed = false;
  for (;;) {
    const top = stack[stack.length - 1]!;
    let r: IteratorResult<Deep<unknown>, unknown>;
    const rethrow = failed;
    failed = false;
    try {
      r = rethrow ? top.throw(error) : top.next(input);
    } catch (e) {
      stack.pop();
      if (stack.length === 0) throw e;
      error = e;
      failed = true;
      continue;
    }
    if (r.done) {
      stack.pop();
      if (stack.length === 0) return r.value as T;
      input = r.value;
    } else {
      stack.push(r.value);
      input = undefined;
    }
  }
}
