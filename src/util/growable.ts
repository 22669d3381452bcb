/**
 * A growable typed integer array: `push` appends, doubling the buffer when it is full; the first
 * `length` entries of `buf` are the contents (index builders collect ids and counts with it).
 * @example
 * ```ts
 * import { GrowableInts } from "xlir";
 * const list = new GrowableInts((n) => new Int32Array(n), 2);
 * for (const v of [5, -1, 7]) list.push(v);
 * console.assert(list.length === 3 && Array.from(list.buf.subarray(0, list.length)).join() === "5,-1,7");
 * console.assert(list.buf.length === 4); // grew from 2 to 4
 * ```
 */
export class GrowableInts<T extends Int32Array | Uint32Array> {
  buf: T;
  length = 0;

  constructor(
    private readonly make: (n: number) => T,
    capacity = 1024,
  ) {
    this.buf = make(Math.max(1, capacity));
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = this.make(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
}
