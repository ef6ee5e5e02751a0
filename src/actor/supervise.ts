/**
 * Failure and supervision: an actor fails, its supervisor decides, and a restart tears the
 * incarnation down and builds a new one.
 *
 * The decision is taken synchronously when the failure is seen: every child a restart takes along
 * is marked at once, so a second failure arriving during the restart cannot start another. The
 * restart itself is asynchronous: the children are torn down in reverse start order (handler in
 * flight, `preRestart`, their own children, timers), then rebuilt in start order, as OTP does.
 *
 * @module
 */
import { CancelledError, describe, RestartIntensityError } from '../errors.js'
import { getClock } from '../platform/clock.js'
import { reportNow } from '../core/report.js'
import type { ReplySlot, SenderSlot } from './actor-ref.js'
import type { ActorCell } from './cell.js'
import { BUSY, DEAD, extOf, NO_MSG, RESTARTING, STOPPING, SUSPENDED } from './cell-state.js'
import { prependMail } from './delivery.js'
import { incarnate } from './incarnation.js'
import { runHook, stop, stopChildren, waitIdle } from './stop.js'
import {
  Backoff,
  decideSafely,
  DEFAULT_STRATEGY,
  type Directive,
  type ResolvedStrategy,
  RestartWindow,
} from './supervision.js'
import { unwatchAll } from './watch.js'

// ---- the failing actor ----

/**
 * The cell failed: its handler, a setup or hook, or a child's escalation. The message it failed
 * on goes to dead letters (an ask for it fails at once), and the supervisor decides.
 * @internal
 */
export function fail(
  cell: ActorCell,
  err: unknown,
  msg: unknown,
  snd: SenderSlot | undefined,
  fromTurn: boolean,
): void {
  if (fromTurn) cell._flags &= ~BUSY
  extOf(cell).lastFailure = { at: Date.now(), error: err }
  if (snd !== undefined && snd._kind === 1) (snd as ReplySlot)._fail(err)
  if (msg !== NO_MSG) cell._system._deadLetter(msg, cell._path(), snd, 'failed', err)
  const f = cell._flags
  if ((f & (STOPPING | DEAD | RESTARTING)) !== 0) {
    cell._system._log('warn', cell._path(), 'failed while stopping or restarting', err)
    cell._wake()
    return
  }
  cell._flags = f | SUSPENDED
  cell._system._log('warn', cell._path(), 'failed', err)
  cell._wake()
  const parent = cell._parent
  if (parent === null) cell._system._escalate(err, cell)
  else childFailed(parent, cell, err, msg === NO_MSG ? undefined : msg, false)
}

/** `ctx.stop()` of an actor on itself: a permanent child is restarted instead (OTP). @internal */
export function stopSelf(cell: ActorCell): void {
  const parent = cell._parent
  if (parent !== null && cell._ext?.restartType === 'permanent' && (cell._flags & STOPPING) === 0) {
    // OTP: a permanent child that exits normally is restarted, and it counts toward intensity.
    cell._flags |= SUSPENDED
    childFailed(parent, cell, undefined, undefined, true)
    return
  }
  void stop(cell)
}

/** Lifts a suspension (directive `resume`), with children suspended by an escalation. */
function resume(cell: ActorCell): void {
  cell._flags &= ~SUSPENDED
  if (cell._children !== null) {
    for (const c of cell._children.values())
      if ((c._flags & (SUSPENDED | RESTARTING)) === SUSPENDED) resume(c)
  }
  cell._wake()
}

/** Ends this incarnation before a restart: the handler in flight, hooks, children, timers. */
async function teardown(cell: ActorCell, error: unknown, msg: unknown): Promise<void> {
  const x = extOf(cell)
  x.abort?.abort(new CancelledError(`${cell._path()} is restarting`))
  x.abort = null
  if (!(await waitIdle(cell, cell._system._stopTimeoutMs))) cell._system._unresponsive(cell)
  x.incarnation++
  cell._flags &= ~BUSY
  const inst = cell._instance
  if (inst?.preRestart !== undefined) {
    await runHook(cell, 'preRestart', () => inst.preRestart?.(error, msg === NO_MSG ? undefined : msg, cell))
  }
  await stopChildren(cell)
  x.timers?.cancelAll()
  unwatchAll(cell)
  const stash = x.stash
  if (stash !== null) {
    x.stash = null
    prependMail(cell, stash)
  }
}

/** Waits for a restart's backoff, or less if the actor is stopped meanwhile. */
function backoffWait(cell: ActorCell, ms: number): Promise<void> {
  const x = extOf(cell)
  return new Promise((resolve) => {
    const timer = getClock().setTimer(ms, () => {
      x.backoff = null
      resolve()
    })
    x.backoff = { timer, resolve }
  })
}

// ---- the supervisor's decision ----

/** How `parent` supervises `child`. */
function strategyFor(parent: ActorCell, child: ActorCell): ResolvedStrategy {
  if (parent._parent === null) return child._ext?.supervision ?? DEFAULT_STRATEGY
  return parent._ext?.strategy ?? DEFAULT_STRATEGY
}

/** The restart window that counts `child`'s restarts (the supervisor's; per child under the guardian). */
function windowFor(parent: ActorCell, child: ActorCell): RestartWindow {
  if (parent._parent === null) return (extOf(child).guardianWindow ??= new RestartWindow())
  return (extOf(parent).window ??= new RestartWindow())
}

/** A child failed or, if permanent, stopped itself: decide, and act on the decision. @internal */
export function childFailed(
  parent: ActorCell,
  child: ActorCell,
  error: unknown,
  msg: unknown,
  normalExit: boolean,
): void {
  if ((parent._flags & (STOPPING | DEAD)) !== 0) return
  const strategy = strategyFor(parent, child)
  const directive: Directive = normalExit ? 'restart' : decideSafely(strategy, error)
  const system = parent._system
  const path = child._path()
  if (directive === 'resume') {
    system._log('info', path, 'resumed by its supervisor')
    resume(child)
    return
  }
  if (directive === 'stop') {
    extOf(child).stopError = error
    system._log('info', path, 'stopped by its supervisor')
    void stop(child)
    return
  }
  if (directive === 'escalate') {
    extOf(child).stopError = error
    if (parent._parent === null) {
      void stop(child)
      system._escalate(error, child)
    } else fail(parent, error, NO_MSG, undefined, false)
    return
  }
  if (child._ext?.restartType === 'temporary') {
    extOf(child).stopError = error
    void stop(child)
    return
  }
  if (!windowFor(parent, child).allow(getClock().now(), strategy.maxRestarts, strategy.withinMs)) {
    giveUp(parent, child, error, strategy.maxRestarts, strategy.withinMs)
    return
  }
  let targets: ActorCell[] = [child]
  if (strategy.strategy !== 'oneForOne' && parent._parent !== null && parent._children !== null) {
    const siblings = Array.from(parent._children.values())
    targets = strategy.strategy === 'oneForAll' ? siblings : siblings.slice(siblings.indexOf(child))
    targets = targets.filter((c) => {
      if (c === child || (c._flags & (STOPPING | DEAD | RESTARTING)) !== 0) return c === child
      if (c._ext?.restartType === 'temporary') {
        // OTP: a temporary sibling is not restarted, it is terminated with the others.
        void stop(c)
        return false
      }
      return true
    })
  }
  let delay = 0
  if (directive instanceof Backoff) {
    const x = extOf(child)
    if (getClock().now() - x.lastRestartAt > directive.resetAfterMs) x.backoffStep = 0
    delay = directive.delay(x.backoffStep++)
  }
  system._log(
    'info',
    path,
    normalExit ? 'stopped itself; restarting (permanent)' : `restarting after: ${describe(error)}`,
  )
  const done = restart(targets, child, error, msg, delay).catch((err: unknown) => {
    reportNow(err, `restart of ${path}`)
  })
  for (const c of targets) extOf(c).restarting = done
}

async function restart(
  targets: ActorCell[],
  failed: ActorCell,
  error: unknown,
  msg: unknown,
  delay: number,
): Promise<void> {
  for (const c of targets) c._flags |= SUSPENDED | RESTARTING
  for (let i = targets.length - 1; i >= 0; i--) {
    const c = targets[i] as ActorCell
    await teardown(c, error, c === failed ? msg : undefined)
  }
  if (delay > 0 && (failed._flags & STOPPING) === 0) await backoffWait(failed, delay)
  for (const c of targets) {
    c._flags &= ~RESTARTING
    const x = extOf(c)
    x.restarting = null
    if ((c._flags & (STOPPING | DEAD)) === 0) incarnate(c, error, true)
  }
}

/** The supervisor exceeded its restart intensity: stop its children, then fail itself (OTP). */
function giveUp(parent: ActorCell, child: ActorCell, error: unknown, max: number, withinMs: number): void {
  const system = parent._system
  if (parent._parent === null) {
    const gaveUp = new RestartIntensityError(child._path(), max, withinMs, error)
    extOf(child).stopError = gaveUp
    void stop(child)
    system._escalate(gaveUp, child)
    return
  }
  const gaveUp = new RestartIntensityError(parent._path(), max, withinMs, error)
  parent._flags |= SUSPENDED
  void stopChildren(parent).then(() => {
    parent._flags &= ~SUSPENDED
    fail(parent, gaveUp, NO_MSG, undefined, false)
  })
}
