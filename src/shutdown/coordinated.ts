/**
 * One coordinated shutdown for what a program made: `run()` calls it when a signal comes or `main`
 * ends, and it closes, phase after phase, every executor, actor system, cluster node, distributed
 * executor and observer the program made during the run, and the resources given to
 * `onShutdown`, as Akka's CoordinatedShutdown does.
 *
 * The phases, each with its own share of the grace period: stop taking new work (`intake`), cancel
 * the jobs no worker started (`queued`), let running work end, killing the task tree
 * (`running`), stop actor systems top-down (`actors`), let executors' workers finish and exit, and
 * kill them at the deadline (`workers`), close connections and resources (`connections`). A phase
 * that runs out of its share goes on to the next; what it left unfinished is named in the report.
 * Nothing is dropped without a word: cancelled jobs are counted by executor, messages left in
 * mailboxes are counted as each system's dead letters, items left in named queues by queue, and
 * the report says all three.
 *
 * Objects made before `run()` are the caller's: `onShutdown(obj)` puts them in the sequence.
 *
 * @module
 */
import { typeError } from '../errors.js'
import { killAll } from '../core/join.js'
import type { Task } from '../core/task.js'
import { getClock } from '../platform/clock.js'
import { observed, registeredAt } from '../platform/observed.js'
import type { ActorSystem } from '../actor/system.js'
import type { Executor } from '../executor/executor.js'

/** The phases, in order. @since 0.3.0 */
export type ShutdownPhase = 'intake' | 'queued' | 'running' | 'actors' | 'workers' | 'connections'

/** What one phase did. @since 0.3.0 */
export interface ShutdownPhaseReport {
  readonly phase: ShutdownPhase
  /** How long it took, in ms. */
  readonly ms: number
  /** What had not finished when its share of the grace period ran out, by name. */
  readonly unfinished: readonly string[]
}

/** What a coordinated shutdown did. @since 0.3.0 */
export interface CoordinatedShutdownReport {
  /** Why it ran: a signal's name, or `main ended`. */
  readonly reason: string
  readonly phases: readonly ShutdownPhaseReport[]
  /** Jobs cancelled before any worker started them, by executor name. */
  readonly cancelledJobs: Readonly<Record<string, number>>
  /** Dead letters each actor system had during the shutdown (messages left in mailboxes among them). */
  readonly deadLetters: Readonly<Record<string, number>>
  /** Items left in named queues when it ended, by queue name: nobody will take them now. */
  readonly queuedItems: Readonly<Record<string, number>>
}

/** Something `onShutdown` closes: a disposable, anything with `close()`, or a function. @since 0.3.0 */
export type ShutdownResource =
  AsyncDisposable | Disposable | { close(): unknown } | { shutdown(): unknown } | (() => unknown)

/** The share of the grace period each phase may take. */
const SHARES: Readonly<Record<ShutdownPhase, number>> = {
  intake: 0.05,
  queued: 0.05,
  running: 0.35,
  actors: 0.2,
  workers: 0.2,
  connections: 0.15,
}

/** Registered resources: the object or function, and the name reports give it. */
const resources: { readonly r: ShutdownResource; readonly name: string }[] = []

/**
 * Puts `resource` in `run()`'s coordinated shutdown: an executor or actor system made before
 * `run()` joins its own phase; anything else is closed in the last phase (`connections`), the
 * latest registered first. Returns a function that takes it out again.
 * **Throws**: `TypeError` at the call for something that cannot be closed.
 * @example
 * const pool = new ThreadPoolExecutor() // made before run(): not the run's unless given
 * onShutdown(pool)
 * onShutdown(() => db.end(), { name: 'database' })
 * run(main)
 * @since 0.3.0
 */
export function onShutdown(
  resource: ShutdownResource,
  opts?: { readonly name?: string | undefined },
): () => void {
  if (closerOf(resource) === undefined) {
    throw typeError(
      'resource',
      'a function or an object with asyncDispose, dispose, close or shutdown',
      resource,
    )
  }
  const name = opts?.name ?? nameOf(resource)
  if (typeof name !== 'string') throw typeError('name', 'a string', name)
  const entry = { r: resource, name }
  resources.push(entry)
  return () => {
    const i = resources.indexOf(entry)
    if (i >= 0) resources.splice(i, 1)
  }
}

/** Runs the shutdown of what was registered after `since` (a registration count), within `graceMs`. @internal */
export async function coordinatedShutdown(
  reason: string,
  since: number,
  graceMs: number,
  tasks: () => Task<unknown>[],
): Promise<CoordinatedShutdownReport> {
  const given = new Set<unknown>(resources.map((e) => e.r))
  const mine = <T extends object>(kind: Parameters<typeof observed>[0]): T[] =>
    observed<T>(kind).filter((o) => registeredAt(o) > since || given.has(o))
  const executors = mine<Executor>('executor')
  const systems = mine<ActorSystem>('actor-system')
  const clusterExecutors = mine<{ readonly name: string; shutdown(o?: object): Promise<void> }>(
    'cluster-executor',
  )
  const nodes = mine<{ readonly id: string; leave(o?: object): Promise<void> }>('cluster-node')
  const observers = mine<{ readonly url: string; close(): Promise<void> }>('observer')
  const others = resources.filter(
    (e) => !executors.includes(e.r as Executor) && !systems.includes(e.r as ActorSystem),
  )
  const deadBefore = new Map(systems.map((s) => [s, s.deadLetters.count]))
  const cancelledJobs: Record<string, number> = {}
  const phases: ShutdownPhaseReport[] = []

  const phase = async (
    name: ShutdownPhase,
    work: (share: number) => {
      readonly name: string
      readonly done: Promise<unknown>
      /** What is still unfinished, by name, when it is more than one thing. */
      readonly left?: () => string[]
    }[],
  ): Promise<void> => {
    const t0 = performance.now()
    const share = Math.max(1, Math.floor(graceMs * SHARES[name]))
    const items = work(share)
    const left = new Set(items.map((i) => i.name))
    const all = Promise.all(
      items.map((i) =>
        i.done.then(
          () => left.delete(i.name),
          () => left.delete(i.name),
        ),
      ),
    )
    let timer: ReturnType<ReturnType<typeof getClock>['setTimer']> | undefined
    const late = new Promise<void>((resolve) => {
      timer = getClock().setTimer(share, resolve)
    })
    await Promise.race([all, late])
    timer?.cancel()
    const unfinished = items.flatMap((i) =>
      !left.has(i.name) ? [] : i.left !== undefined ? i.left() : [i.name],
    )
    phases.push({ phase: name, ms: Math.round(performance.now() - t0), unfinished })
  }

  // Stop taking new work: a submit from here on throws; the observer still shows the shutdown.
  await phase('intake', () =>
    executors.map((e) => ({ name: e._name, done: Promise.resolve(e.shutdown({ wait: false })) })),
  )
  await phase('queued', () => {
    for (const e of executors) {
      const n = e._cancelQueued(`the program is shutting down (${reason})`)
      if (n > 0) cancelledJobs[e._name] = (cancelledJobs[e._name] ?? 0) + n
    }
    return []
  })
  await phase('running', () => {
    const list = tasks()
    if (list.length === 0) return []
    const alive = (): string[] => {
      const names = list.filter((t) => !t.done).map((t) => `task ${t.name}`)
      return names.length <= 20 ? names : [...names.slice(0, 20), `${String(names.length - 20)} more tasks`]
    }
    return [{ name: 'tasks', done: Promise.resolve(killAll(list, { reason })), left: alive }]
  })
  await phase('actors', (share) =>
    systems
      .filter((s) => !s.terminated)
      .map((s) => ({ name: `actor system ${s.name}`, done: s.shutdown({ timeoutMs: share / 2 }) })),
  )
  await phase('workers', (share) =>
    executors.map((e) => {
      // Running jobs may end in the first half; then they are cancelled, and their workers
      // killed after the executor's `killAfterMs`.
      const cancel = getClock().setTimer(
        share / 2,
        () => void e.shutdown({ cancelFutures: true, wait: false }),
      )
      return { name: e._name, done: e.shutdown().finally(() => cancel.cancel()) }
    }),
  )
  await phase('connections', (share) => [
    ...clusterExecutors.map((c) => ({
      name: `distributed executor ${c.name}`,
      done: c.shutdown({ cancelFutures: true }),
    })),
    ...nodes.map((n) => ({ name: `cluster node ${n.id}`, done: n.leave({ timeoutMs: share }) })),
    ...observers.map((o) => ({ name: `observer ${o.url}`, done: o.close() })),
    ...[...others].reverse().map((e) => ({ name: e.name, done: close(e.r) })),
  ])
  const deadLetters: Record<string, number> = {}
  for (const s of systems) {
    const n = s.deadLetters.count - (deadBefore.get(s) ?? 0)
    if (n > 0) deadLetters[s.name] = (deadLetters[s.name] ?? 0) + n
  }
  const queuedItems: Record<string, number> = {}
  for (const q of mine<{ readonly name: string | undefined; readonly size: number }>('queue')) {
    const name = q.name ?? ''
    if (q.size > 0) queuedItems[name] = (queuedItems[name] ?? 0) + q.size
  }
  return { reason, phases, cancelledJobs, deadLetters, queuedItems }
}

/** One line per thing a report has to say; none when everything closed in time and nothing was dropped. @internal */
export function describeReport(r: CoordinatedShutdownReport): string[] {
  const lines: string[] = []
  for (const p of r.phases) {
    if (p.unfinished.length > 0) lines.push(`phase ${p.phase} ran out of time: ${p.unfinished.join(', ')}`)
  }
  for (const [name, n] of Object.entries(r.cancelledJobs)) {
    lines.push(`${name}: ${String(n)} queued job${n === 1 ? '' : 's'} cancelled before starting`)
  }
  for (const [name, n] of Object.entries(r.deadLetters)) {
    lines.push(`actor system ${name}: ${String(n)} dead letter${n === 1 ? '' : 's'} during the shutdown`)
  }
  for (const [name, n] of Object.entries(r.queuedItems)) {
    lines.push(`queue ${name}: ${String(n)} item${n === 1 ? '' : 's'} left`)
  }
  return lines
}

function closerOf(r: unknown): (() => unknown) | undefined {
  if (typeof r === 'function') return r as () => unknown
  if (typeof r !== 'object' || r === null) return undefined
  const o = r as Partial<Record<PropertyKey, unknown>>
  for (const key of [Symbol.asyncDispose, Symbol.dispose, 'close', 'shutdown'] as const) {
    const f = o[key]
    if (typeof f === 'function') return () => (f as () => unknown).call(r)
  }
  return undefined
}

function close(r: ShutdownResource): Promise<unknown> {
  try {
    return Promise.resolve((closerOf(r) as () => unknown)())
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)))
  }
}

function nameOf(r: ShutdownResource): string {
  if (typeof r === 'function') return r.name === '' ? 'a shutdown function' : r.name
  const named = (r as { name?: unknown }).name
  return typeof named === 'string' ? named : r.constructor.name || 'a resource'
}
