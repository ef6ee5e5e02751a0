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
import { type DebugHooks, hooks } from '../core/hooks.js'
import { queueYield } from '../core/sleep.js'

/** What the dispatcher runs: an actor cell. @internal */
export interface Runnable {
  /** Handles up to `max` messages; returns how many it handled. */
  _run(max: number): number
  /** Messages handled since it started: the observer's rate. */
  _handled: number
  /** Its path, and the message it handled last: debug mode names a slow one. */
  _path(): string
  _turnMessage(): unknown
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
  // Read once per drain, not per message: off, debug mode costs the actors nothing.
  const debug = hooks.debug
  let budget = BUDGET
  while (head < ready.length) {
    const cell = ready[head] as Runnable
    ready[head++] = undefined
    const n = debug === undefined ? cell._run(THROUGHPUT) : timedTurn(cell, debug)
    cell._handled += n
    budget -= n
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

/**
 * In debug mode, one message per turn, timed: a message that held the event loop is reported
 * with its actor and itself. The actor goes back on the ready list for the rest of its mail.
 */
function timedTurn(cell: Runnable, debug: DebugHooks): number {
  const t0 = debug.stepStart()
  const n = cell._run(1)
  if (n > 0) debug.actorStepEnd(() => cell._path(), cell._turnMessage(), t0)
  return n
}
