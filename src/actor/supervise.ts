/**
 * What a supervisor does when a child fails or, if permanent, stops itself.
 *
 * The decision is taken synchronously when the failure is seen: every child a restart takes along
 * is marked at once, so a second failure arriving during the restart cannot start another. The
 * restart itself is asynchronous: the children are torn down in reverse start order (handler in
 * flight, `preRestart`, their own children, timers), then rebuilt in start order, as OTP does.
 *
 * @module
 */
import { describe, RestartIntensityError } from '../errors.js'
import { getClock } from '../platform/clock.js'
import { reportNow } from '../core/report.js'
import { type ActorCell, DEAD, NO_MSG, RESTARTING, STOPPING, SUSPENDED } from './cell.js'
import { Backoff, decideSafely, type Directive } from './supervision.js'

/** @internal */
export function childFailed(
  parent: ActorCell,
  child: ActorCell,
  error: unknown,
  msg: unknown,
  normalExit: boolean,
): void {
  if ((parent._flags & (STOPPING | DEAD)) !== 0) return
  const strategy = parent._strategyFor(child)
  const directive: Directive = normalExit ? 'restart' : decideSafely(strategy, error)
  const system = parent._system
  const path = child._path()
  if (directive === 'resume') {
    system._log('info', path, 'resumed by its supervisor')
    child._resume()
    return
  }
  if (directive === 'stop') {
    child._ext().stopError = error
    system._log('info', path, 'stopped by its supervisor')
    void child._stop(false)
    return
  }
  if (directive === 'escalate') {
    child._ext().stopError = error
    if (parent._parent === null) {
      void child._stop(false)
      system._escalate(error, child)
    } else parent._fail(error, NO_MSG, undefined, false)
    return
  }
  if (child._x?.restartType === 'temporary') {
    child._ext().stopError = error
    void child._stop(false)
    return
  }
  if (!parent._windowFor(child).allow(getClock().now(), strategy.maxRestarts, strategy.withinMs)) {
    giveUp(parent, child, error, strategy.maxRestarts, strategy.withinMs)
    return
  }
  let targets: ActorCell[] = [child]
  if (strategy.strategy !== 'oneForOne' && parent._parent !== null && parent._children !== null) {
    const siblings = Array.from(parent._children.values())
    targets = strategy.strategy === 'oneForAll' ? siblings : siblings.slice(siblings.indexOf(child))
    targets = targets.filter((c) => {
      if (c === child || (c._flags & (STOPPING | DEAD | RESTARTING)) !== 0) return c === child
      if (c._x?.restartType === 'temporary') {
        // OTP: a temporary sibling is not restarted, it is terminated with the others.
        void c._stop(false)
        return false
      }
      return true
    })
  }
  let delay = 0
  if (directive instanceof Backoff) {
    const x = child._ext()
    if (getClock().now() - x.lastRestartAt > directive.resetAfterMs) x.backoffN = 0
    delay = directive.delay(x.backoffN++)
  }
  system._log(
    'info',
    path,
    normalExit ? 'stopped itself; restarting (permanent)' : `restarting after: ${describe(error)}`,
  )
  const done = restart(targets, child, error, msg, delay).catch((err: unknown) => {
    reportNow(err, `restart of ${path}`)
  })
  for (const c of targets) c._ext().restarting = done
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
    await c._teardown(error, c === failed ? msg : undefined)
  }
  if (delay > 0 && (failed._flags & STOPPING) === 0) await failed._backoffWait(delay)
  for (const c of targets) {
    c._flags &= ~RESTARTING
    const x = c._ext()
    x.restarting = null
    if ((c._flags & (STOPPING | DEAD)) === 0) c._incarnate(error, true)
  }
}

/** The supervisor exceeded its restart intensity: stop its children, then fail itself (OTP). */
function giveUp(parent: ActorCell, child: ActorCell, error: unknown, max: number, withinMs: number): void {
  const system = parent._system
  if (parent._parent === null) {
    const gaveUp = new RestartIntensityError(child._path(), max, withinMs, error)
    child._ext().stopError = gaveUp
    void child._stop(false)
    system._escalate(gaveUp, child)
    return
  }
  const gaveUp = new RestartIntensityError(parent._path(), max, withinMs, error)
  parent._flags |= SUSPENDED
  void parent._stopChildren().then(() => {
    parent._flags &= ~SUSPENDED
    parent._fail(gaveUp, NO_MSG, undefined, false)
  })
}
