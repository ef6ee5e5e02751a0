/**
 * A growable circular buffer: O(1) push and shift, without the O(n) `Array#shift`.
 *
 * @module
 */

/** @internal */
export class RingBuffer<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16)
  #head = 0
  /** Invariant: the number of items, stored from `#head` wrapping around. */
  size = 0

  push(item: T): void {
    if (this.size === this.#items.length) this.#grow()
    this.#items[(this.#head + this.size) & (this.#items.length - 1)] = item
    this.size++
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head = (this.#head + 1) & (this.#items.length - 1)
    this.size--
    return item
  }

  /** Puts `item` in front of the first one. */
  unshift(item: T): void {
    if (this.size === this.#items.length) this.#grow()
    this.#head = (this.#head - 1) & (this.#items.length - 1)
    this.#items[this.#head] = item
    this.size++
  }

  peekFirst(): T | undefined {
    return this.size === 0 ? undefined : this.#items[this.#head]
  }

  /** Removes and returns every item, first to last. */
  drain(): T[] {
    const out: T[] = []
    // Counted by size, not by the value: an item may itself be undefined.
    while (this.size > 0) out.push(this.shift() as T)
    return out
  }

  #grow(): void {
    const old = this.#items
    const next = new Array<T | undefined>(old.length * 2)
    for (let i = 0; i < this.size; i++) next[i] = old[(this.#head + i) & (old.length - 1)]
    this.#items = next
    this.#head = 0
  }
}
