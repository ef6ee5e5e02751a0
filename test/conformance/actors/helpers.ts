import { onTestFinished } from 'vitest'
import {
  ActorSystem,
  type ActorSystemOptions,
  type AnyActorRef,
  type DeadLetter,
  getClock,
  type LogRecord,
  receive,
  type ActorRef,
} from 'verdant'
import { VirtualClock } from 'verdant/testing'
// The public API has no way to list an actor's children from outside it; the cell behind a ref is
// the actor's own context, whose `children()` does.
import { cellOf } from '../../../src/actor/actor-ref.js'

/** A system whose log and dead letters the test can read. */
export function newSystem(opts?: ActorSystemOptions): {
  system: ActorSystem
  logs: LogRecord[]
  dead: DeadLetter[]
} {
  const logs: LogRecord[] = []
  const dead: DeadLetter[] = []
  const system = new ActorSystem({ name: 'test', log: (r) => logs.push(r), logLevel: 'debug', ...opts })
  system.deadLetters.subscribe((d) => dead.push(d))
  return { system, logs, dead }
}

/** A promise the test awaits and an actor or task resolves: the event itself, not a guess at when it came. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** Values in arrival order; `next()` resolves with each in turn, whether it came before or after the call. */
export function recorder<T>(): { got: T[]; push: (value: T) => void; next: () => Promise<T> } {
  const got: T[] = []
  let waiters: ((v: T) => void)[] = []
  let read = 0
  return {
    got,
    push: (m) => {
      got.push(m)
      const w = waiters
      waiters = []
      for (const resolve of w) resolve(m)
    },
    next: () => {
      if (read < got.length) return Promise.resolve(got[read++] as T)
      return new Promise<T>((resolve) => {
        waiters.push((m) => {
          read++
          resolve(m)
        })
      })
    },
  }
}

/** An actor that records what it receives (Akka `TestProbe`). */
export function probe<T>(
  system: ActorSystem,
  name?: string,
): {
  ref: ActorRef<T>
  got: T[]
  next: () => Promise<T>
} {
  const rec = recorder<T>()
  const ref = system.spawn(
    receive<T>((m) => {
      rec.push(m)
    }),
    name === undefined ? {} : { name },
  )
  return { ref, got: rec.got, next: rec.next }
}

/**
 * The actors of `system` that still have work: a message queued, a setup, handler or hook running,
 * a restart or its backoff under way, a stop not finished. Described by path, status and queue.
 */
export function busyActors(system: ActorSystem): string[] {
  const busy: string[] = []
  const guardian = system.lookup('/user')
  const pending: AnyActorRef[] = guardian === undefined ? [] : [guardian]
  for (let ref = pending.pop(); ref !== undefined; ref = pending.pop()) {
    const { path, status, mailboxSize } = system.inspect(ref)
    // A restart and its backoff keep the actor suspended until the new incarnation is in place.
    if ((status !== 'running' && status !== 'stopped') || mailboxSize > 0)
      busy.push(`${path} (${status}, ${String(mailboxSize)} queued)`)
    pending.push(...(cellOf(ref)?.children() ?? []))
  }
  return busy
}

/** After this many jumps of a virtual clock, actors that still have work are taken to never settle. */
const MAX_JUMPS = 10_000

/**
 * Resolves once every actor of `system` is idle (see `busyActors`) and no timer is due, so what
 * follows sees everything the messages sent so far led to, and nothing still on its way.
 *
 * Under a virtual clock it moves time itself, and only as far as the actors need: each time every
 * task is blocked while an actor still has work, it jumps to the next timer (a backoff, a sleep in a
 * handler, a hook's timeout), and it throws, naming the actors, if none is left that could free
 * them. On the real clock it looks again at every turn of the event loop for as long as the test
 * runs: how long the actors take is theirs, not a limit of this wait's. A test that times out in it
 * fails naming the actors still busy.
 */
export async function settle(system: ActorSystem): Promise<void> {
  const clock = getClock()
  if (clock instanceof VirtualClock) return settleVirtual(system, clock)
  let waiting = true
  onTestFinished(() => {
    if (!waiting) return
    waiting = false
    throw new Error(`the actors never settled: ${busyActors(system).join(', ')}`)
  })
  while (waiting) {
    // Two turns: the microtasks, immediates and host timers already due all run before a look.
    await turn()
    await turn()
    if (busyActors(system).length === 0) waiting = false
  }
}

async function settleVirtual(system: ActorSystem, clock: VirtualClock): Promise<void> {
  let jumps = 0
  for (;;) {
    await clock.waitIdle()
    // A timer due now runs first, as the clock's next jump would run it; then look again.
    const timers = clock.pendingTimers
    clock.advance(0)
    if (clock.pendingTimers !== timers) continue
    const busy = busyActors(system)
    if (busy.length === 0) return
    if (!clock.runNext()) throw new Error(`the actors never settle: ${busy.join(', ')}; no timer is left`)
    if (++jumps > MAX_JUMPS) throw new Error(`the actors never settle: ${busy.join(', ')}`)
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
