/**
 * A binary min-heap over an ordering function, shared by the timer heap, the pool's waiting jobs
 * and `PriorityQueue`.
 *
 * Layer: `platform/`, since the timer heap under the kernel is built on it; it imports nothing.
 *
 * @module
 */

/** A binary min-heap. Not part of the public API. */
export class BinaryHeap<T> {
  /** The heap array; `items[0]` is the first by `before`. */
  items: T[] = []
  /** True when `a` must come out before `b`. */
  readonly before: (a: T, b: T) => boolean

  constructor(before: (a: T, b: T) => boolean) {
    this.before = before
  }

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(item: T): void {
    const items = this.items
    let i = items.length
    items.push(item)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = items[parent] as T
      if (!this.before(item, p)) break
      items[i] = p
      i = parent
    }
    items[i] = item
  }

  pop(): T | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0) this.#siftDown(0, last as T)
    return top
  }

  /** Keeps only the items `keep` accepts and restores the heap order in O(n). */
  filter(keep: (item: T) => boolean): void {
    const kept = this.items.filter(keep)
    this.items = kept
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.#siftDown(i, kept[i] as T)
  }

  #siftDown(start: number, item: T): void {
    const items = this.items
    const n = items.length
    let i = start
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      const right = child + 1
      if (right < n && this.before(items[right] as T, items[child] as T)) child = right
      const c = items[child] as T
      if (!this.before(c, item)) break
      items[i] = c
      i = child
    }
    items[i] = item
  }
}
