// The task table says what each task waits on: read from the wait the task is parked on, for
// generator tasks (every `yield*`) and async tasks (their `ctx` waits), and the words follow the
// wait as it changes (a sleep's time left, a join's count of tasks still running).
import { afterEach, describe, expect, it } from 'vitest'
import {
  ActorSystem,
  Barrier,
  call,
  Condition,
  Event,
  joinAll,
  Lock,
  Pool,
  Queue,
  receive,
  Semaphore,
  sleep,
  spawn,
  spawnLater,
  type Task,
} from 'verdant'
import { startObserver, type Observer } from 'verdant/observer'

let observer: Observer | undefined
const cleanup: Task<unknown>[] = []
afterEach(async () => {
  for (const t of cleanup.splice(0)) await t.kill()
  await observer?.close()
  observer = undefined
})

/** What the live task named `name` waits on, from one snapshot. */
function waitsOn(name: string): string | undefined {
  const rows = (observer as Observer).snapshot({ limit: 1000 }).tasks.rows
  return rows.find((r) => r.name === name)?.waitsOn
}

function keep<T>(t: Task<T>): Task<T> {
  cleanup.push(t)
  return t
}

describe('what a task waits on', () => {
  it('names a sleep with its time left, in a generator task and in an async task', async () => {
    observer = await startObserver()
    keep(
      spawn(
        function* () {
          yield* sleep(60_000)
        },
        { name: 'gen-sleeper' },
      ),
    )
    keep(spawn((ctx) => ctx.sleep(2_500), { name: 'async-sleeper' }))
    keep(spawn((ctx) => ctx.sleep(Infinity), { name: 'forever' }))
    keep(
      spawn(
        function* () {
          yield* sleep(0)
        },
        { name: 'yielder' },
      ),
    )
    expect(waitsOn('gen-sleeper')).toBe('its first step')
    await sleep(5)
    expect(waitsOn('gen-sleeper')).toMatch(/^sleep, (59\.\d|60\.0) s left$/)
    expect(waitsOn('async-sleeper')).toMatch(/^sleep, 2\.\d s left$/)
    expect(waitsOn('forever')).toBe('sleep, forever')
    expect(waitsOn('yielder')).toBeUndefined()
    await sleep(5)
    expect(waitsOn('async-sleeper')).not.toBe('its first step')
  })

  it('names queues (by name), locks, semaphores, events, conditions, barriers and pools', async () => {
    observer = await startObserver()
    const jobs = new Queue<number>({ name: 'jobs' })
    const full = new Queue<number>({ maxsize: 1 })
    full.putNowait(1)
    const lock = new Lock()
    await lock.acquire()
    const sem = new Semaphore(0)
    const ev = new Event()
    const cond = new Condition()
    const barrier = new Barrier(3)
    const pool = new Pool({ size: 1, name: 'crawl' })
    pool.spawn((ctx) => ctx.sleep(60_000))
    // Queued in the full pool: not started, and the pool says what it waits for.
    pool.spawn((ctx) => ctx.sleep(60_000), { name: 'queued-in-pool' })
    keep(spawnLater(60_000, () => undefined, { name: 'later' }))
    keep(
      spawn(
        function* () {
          yield* jobs.get()
        },
        { name: 'getter' },
      ),
    )
    keep(spawn((ctx) => ctx.call(full.put(2)), { name: 'putter' }))
    keep(
      spawn(
        function* () {
          yield* lock.acquire()
        },
        { name: 'locker' },
      ),
    )
    keep(spawn((ctx) => ctx.call(sem.acquire()), { name: 'permit' }))
    keep(
      spawn(
        function* () {
          yield* ev.wait()
        },
        { name: 'event' },
      ),
    )
    keep(
      spawn(
        function* () {
          yield* cond.acquire()
          yield* cond.wait()
        },
        { name: 'cond' },
      ),
    )
    keep(
      spawn(
        function* () {
          yield* barrier.wait()
        },
        { name: 'barrier' },
      ),
    )
    keep(
      spawn(
        function* () {
          yield* pool.waitAvailable()
        },
        { name: 'slot' },
      ),
    )
    // With a signal, the wait is wrapped: the words still come from the queue.
    const ac = new AbortController()
    keep(spawn((ctx) => ctx.call(jobs.get({ signal: ac.signal })), { name: 'getter-with-signal' }))
    await sleep(5)
    expect(waitsOn('getter')).toBe('queue "jobs": get')
    expect(waitsOn('getter-with-signal')).toBe('queue "jobs": get')
    expect(waitsOn('putter')).toBe('queue: put')
    expect(waitsOn('locker')).toBe('lock: acquire')
    expect(waitsOn('permit')).toBe('semaphore (0 free): acquire')
    expect(waitsOn('event')).toBe('event: set')
    expect(waitsOn('cond')).toBe('condition: notify')
    expect(waitsOn('barrier')).toBe('barrier (1 of 3 waiting)')
    expect(waitsOn('slot')).toBe('pool "crawl": a free slot')
    expect(waitsOn('queued-in-pool')).toBe('pool "crawl": a free slot')
    expect(waitsOn('later')).toBe('its delayed start')
    // Granted, the getter moves on to its next wait, or ends and leaves the table.
    jobs.putNowait(1)
    await sleep(1)
    expect(waitsOn('getter')).toBeUndefined()
    await pool.kill()
  })

  it('names a joined task, a promise, a joinAll that counts down, and a body waiting for its children', async () => {
    observer = await startObserver()
    const slow = keep(spawn((ctx) => ctx.sleep(60_000), { name: 'fetch' }))
    const quick = spawn((ctx) => ctx.sleep(20), { name: 'quick' })
    keep(
      spawn(
        function* () {
          yield* slow
        },
        { name: 'joiner' },
      ),
    )
    keep(
      spawn(
        function* () {
          yield* joinAll([slow, quick])
        },
        { name: 'all' },
      ),
    )
    let release = (): void => undefined
    keep(
      spawn(
        function* () {
          yield* call(new Promise<void>((r) => (release = r)))
        },
        { name: 'promised' },
      ),
    )
    // An async body sees a kill only through `ctx`: this one is let go at the end instead.
    let letGo = (): void => undefined
    keep(spawn(() => new Promise<void>((r) => (letGo = r)), { name: 'plain-await' }))
    keep(
      spawn(
        (ctx) => {
          ctx.spawn((c) => c.sleep(60_000))
          ctx.spawn((c) => c.sleep(60_000))
        },
        { name: 'parent' },
      ),
    )
    await sleep(5)
    expect(waitsOn('joiner')).toBe('task "fetch"')
    expect(waitsOn('all')).toBe('joinAll: 2 of 2 to end')
    expect(waitsOn('promised')).toBe('a promise')
    expect(waitsOn('plain-await')).toBe('a promise')
    expect(waitsOn('parent')).toBe('its children (2)')
    await quick
    expect(waitsOn('all')).toBe('joinAll: 1 of 2 to end')
    release()
    letGo()
    await sleep(1)
    expect(waitsOn('promised')).toBeUndefined()
    expect(waitsOn('plain-await')).toBeUndefined()
  })

  it('names the full mailbox a tell waits for room in, and what an actor system waits for', async () => {
    observer = await startObserver()
    const system = new ActorSystem({ name: 'waits', logLevel: 'error' })
    try {
      const gate = new Event()
      const db = system.spawn(
        receive<number>(async () => {
          await gate.wait()
        }),
        { name: 'db', mailbox: { capacity: 1, overflow: 'backpressure' } },
      )
      db.tell(1)
      db.tell(2)
      keep(spawn((ctx) => ctx.call(db.tell(3)), { name: 'teller' }))
      await sleep(5)
      expect(waitsOn('teller')).toBe('room in the mailbox of /user/db')
      expect(waitsOn('actor-system:waits')).toBe('a shutdown of actor system "waits"')
      gate.set()
    } finally {
      await system.shutdown()
    }
  })
})
