/**
 * The dispatcher: one ready list of actors with mail, drained in a microtask.
 *
 * A `tell` to an idle actor appends it to the ready list; one drain then runs every ready actor,
 * a bounded batch of messages each, so ping-pong between two actors runs in one loop with no
 * microtask per message. After a budget of messages the drain continues on a `setImmediate` turn,
 * which lets timers and I/O run between batches instead of starving behind a busy actor system.
 *
 * @module
 */
import { queueYield } from '../core/sleep.js'

/** What the dispatcher runs: an actor cell. @internal */
export interface Runnable {
  /** Handles up to `max` messages; returns how many it handled. */
  _run(max: number): number
}

/** Messages one actor handles before the next ready actor gets its turn (Akka `throughput`). */
const THROUGHPUT = 256
/** Messages handled in one drain before I/O and timers get a turn. */
const BUDGET = 16_384

let ready: (Runnable | undefined)[] = []
let head = 0
let scheduled = false

/** Appends `cell` to the ready list and makes sure a drain is coming. @internal */
export function schedule(cell: Runnable): void {
  ready.push(cell)
  if (!scheduled) {
    scheduled = true
    queueMicrotask(drain)
  }
}

function drain(): void {
  let budget = BUDGET
  while (head < ready.length) {
    const cell = ready[head] as Runnable
    ready[head++] = undefined
    budget -= cell._run(THROUGHPUT)
    if (budget <= 0 && head < ready.length) {
      ready = ready.slice(head)
      head = 0
      queueYield(drain)
      return
    }
  }
  ready.length = 0
  head = 0
  scheduled = false
}
