/**
 * Incarnations: building an actor's handler from its definition, at its first start and at each
 * restart, and switching to a behaviour a handler returns.
 *
 * A class actor gets a new instance and its `preStart` (or `postRestart`); a behaviour runs its
 * setup, which returns the handler or a hooks object. A setup or hook that returns a promise keeps
 * the cell busy until it settles; a settlement that comes after the incarnation ended (a restart or
 * a stop that did not wait for it) is recognised by the incarnation number and ignored.
 *
 * @module
 */
import { describe } from '../errors.js'
import { isThenable } from '../core/op.js'
import { getClock } from '../platform/clock.js'
import { Behavior, type BehaviorHooks, type Handler, type SetupResult } from './behavior.js'
import type { ActorCell } from './cell.js'
import { BUSY, extOf, NEW, NO_MSG, SUSPENDED } from './cell-state.js'
import { setRunning } from './current.js'

/** Builds a fresh incarnation from the definition (first start or restart). @internal */
export function incarnate(cell: ActorCell, restartError: unknown, isRestart: boolean): void {
  cell._flags &= ~(NEW | SUSPENDED)
  cell._handler = null
  cell._instance = null
  const x = cell._ext
  if (isRestart && x !== null) {
    x.restarts++
    x.lastRestartAt = getClock().now()
    // A restarted supervisor starts with no restarts of its children on record, as a new OTP
    // supervisor process does: the old ones made it give up, and counting them again would
    // make it give up at its first child's crash.
    x.window = null
  }
  const prev = setRunning(cell.self)
  try {
    const def = cell._def
    if (def instanceof Behavior) {
      const r = def._setup(cell)
      if (isThenable(r)) awaitSetup(cell, r, (v) => install(cell, v))
      else install(cell, r)
    } else {
      const inst = new def(cell)
      cell._instance = inst
      const hook = isRestart
        ? inst.postRestart !== undefined
          ? inst.postRestart(restartError, cell)
          : inst.preStart?.(cell)
        : inst.preStart?.(cell)
      if (isThenable(hook)) awaitSetup(cell, hook, () => undefined)
    }
  } catch (err) {
    cell._fail(err, NO_MSG, undefined, true)
  } finally {
    setRunning(prev)
  }
  cell._wake()
}

/** Switches to a behaviour returned by a handler: runs its setup now. @internal */
export function adopt(cell: ActorCell, b: Behavior<unknown>): void {
  const r: SetupResult<unknown> | PromiseLike<SetupResult<unknown>> = b._setup(cell)
  if (isThenable(r)) awaitSetup(cell, r, (v) => install(cell, v))
  else install(cell, r)
}

/** Waits for a setup or hook; the cell is busy meanwhile. */
function awaitSetup(cell: ActorCell, p: PromiseLike<unknown>, then: (v: unknown) => void): void {
  cell._flags |= BUSY
  const inc = extOf(cell).incarnation
  p.then(
    (v) => {
      if (cell._ext?.incarnation !== inc) return
      cell._flags &= ~BUSY
      try {
        then(v)
      } catch (err) {
        cell._fail(err, NO_MSG, undefined, true)
        return
      }
      cell._wake()
    },
    (err: unknown) => {
      if (cell._ext?.incarnation !== inc) return
      cell._fail(err, NO_MSG, undefined, true)
    },
  )
}

/** Takes what a behaviour's setup returned: a handler, or hooks with a `receive`. */
function install(cell: ActorCell, r: unknown): void {
  if (typeof r === 'function') {
    cell._handler = r as Handler<unknown>
    return
  }
  if (typeof r === 'object' && r !== null && typeof (r as BehaviorHooks<unknown>).receive === 'function') {
    cell._instance = r as BehaviorHooks<unknown>
    cell._handler = (r as BehaviorHooks<unknown>).receive
    return
  }
  throw new TypeError(
    `Expected the behavior setup of ${cell._path()} to return a handler or {receive}, got ${describe(r)}`,
  )
}
