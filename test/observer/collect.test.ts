// What the observer's snapshot holds for a real program: tasks (oldest first, bounded, with the
// counts of failed and cancelled), actor systems (rows by mailbox or restarts, dead letters) and
// executors, and that the observer's options are checked at the call.
import { afterEach, describe, expect, it } from 'vitest'
import {
  ActorSystem,
  behavior,
  disableDebug,
  enableDebug,
  Event,
  Pool,
  Queue,
  receive,
  sleep,
  spawn,
  ThreadPoolExecutor,
} from 'verdant'
import { startObserver, type Observer } from 'verdant/observer'
import { taskRef } from 'verdant/worker'

const tasks = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const add = taskRef<(a: number, b: number) => number>(tasks, 'add')

let observer: Observer | undefined
afterEach(async () => {
  await observer?.close()
  observer = undefined
})

describe('the observer snapshot', () => {
  it('lists live tasks oldest first, bounded by the limit, with failed and cancelled counts', async () => {
    observer = await startObserver()
    const before = observer.snapshot()
    const oldest = spawn((c) => c.sleep(10_000), { name: 'oldest' })
    await sleep(5)
    const parent = spawn(
      async (ctx) => {
        for (let i = 0; i < 3; i++) ctx.spawn((c) => c.sleep(10_000), { name: `child-${String(i)}` })
        await ctx.sleep(10_000)
      },
      { name: 'parent' },
    )
    await sleep(5)
    const many = Array.from({ length: 50 }, (_, i) =>
      spawn((c) => c.sleep(10_000), { name: `n${String(i)}` }),
    )
    const failing = spawn(() => {
      throw new Error('boom')
    })
    await failing.catch(() => undefined)
    try {
      const s = observer.snapshot({ limit: 3 })
      expect(s.tasks.live).toBe(before.tasks.live + 55)
      expect(s.tasks.failed).toBe(before.tasks.failed + 1)
      expect(s.tasks.rows.map((r) => r.name)).toEqual(['oldest', 'parent', 'child-0'])
      expect(s.tasks.rows[1]).toMatchObject({ children: 3, parent: undefined, state: 'running' })
      expect(s.tasks.rows[2]?.parent).toBe(parent.id)
      expect(s.tasks.rows[0]?.ageMs).toBeGreaterThanOrEqual(s.tasks.rows[1]?.ageMs ?? Infinity)
      // By children: the parent first.
      expect(observer.snapshot({ tasks: 'children', limit: 1 }).tasks.rows[0]?.name).toBe('parent')
      // A task that ends leaves the rows; a killed one counts as cancelled.
      await oldest.kill()
      const after = observer.snapshot({ limit: 1000 })
      expect(after.tasks.rows.some((r) => r.name === 'oldest')).toBe(false)
      expect(after.tasks.cancelled).toBe(before.tasks.cancelled + 1)
    } finally {
      await oldest.kill()
      await parent.kill()
      for (const t of many) await t.kill()
    }
  })

  it('shows each actor system: actors, mailbox depths, restarts, and its last dead letters', async () => {
    observer = await startObserver()
    const system = new ActorSystem({ name: 'observed', logLevel: 'off' })
    const gate = new Event()
    try {
      const crashy = system.spawn(
        behavior<string>(() => (msg) => {
          if (msg === 'crash') throw new Error('crashed')
        }),
        { name: 'crashy' },
      )
      const blocked = system.spawn(
        behavior<string>(() => async () => {
          await gate.wait()
        }),
        { name: 'blocked' },
      )
      observer.snapshot() // starts listening to its dead letters
      for (let i = 0; i < 5; i++) blocked.tell('wait')
      crashy.tell('crash')
      crashy.tell('crash')
      await expect.poll(() => system.inspect(crashy).restarts).toBe(2)
      await system.stop(crashy)
      crashy.tell('after-stop')
      const s = observer.snapshot()
      const info = s.actorSystems.find((x) => x.name === 'observed')
      expect(info).toBeDefined()
      expect(info?.rows[0]).toMatchObject({ path: '/user/blocked', mailbox: 4, status: 'busy' })
      expect(info?.mailboxes).toBe(4)
      expect(info?.deadLetters).toBeGreaterThanOrEqual(1)
      expect(info?.lastDeadLetters[0]).toMatchObject({
        recipient: '/user/crashy',
        reason: 'stopped',
        message: 'string',
      })
    } finally {
      gate.set()
      await system.shutdown()
    }
    // A terminated system leaves the snapshot.
    expect(observer.snapshot().actorSystems.some((x) => x.name === 'observed')).toBe(false)
  })

  it('gives each system its dead letters per second since the previous snapshot', async () => {
    observer = await startObserver()
    const system = new ActorSystem({ name: 'letters', logLevel: 'off' })
    try {
      const gone = system.spawn(
        behavior<string>(() => () => undefined),
        { name: 'gone' },
      )
      await system.stop(gone)
      const rateOf = (): number | undefined =>
        (observer as Observer).snapshot().actorSystems.find((x) => x.name === 'letters')?.deadLettersPerSec
      expect(rateOf()).toBe(0)
      await sleep(300)
      for (let i = 0; i < 60; i++) gone.tell('lost')
      // 60 letters over the 300 ms or so since the baseline: well above zero, at most 60 / 0.3.
      const r = rateOf() ?? 0
      expect(r).toBeGreaterThan(20)
      expect(r).toBeLessThanOrEqual(200)
      await sleep(300)
      // Nothing since the last baseline.
      expect(rateOf()).toBe(0)
    } finally {
      await system.shutdown()
    }
  })

  it('ranks actors by restarts when asked', async () => {
    observer = await startObserver()
    const system = new ActorSystem({ name: 'ranked', logLevel: 'off' })
    try {
      const def = behavior<string>(() => (msg) => {
        if (msg === 'crash') throw new Error('crashed')
      })
      const a = system.spawn(def, { name: 'a' })
      const b = system.spawn(def, { name: 'b' })
      b.tell('crash')
      b.tell('crash')
      a.tell('crash')
      await expect.poll(() => system.inspect(b).restarts).toBe(2)
      const rows = observer
        .snapshot({ actors: 'restarts' })
        .actorSystems.find((x) => x.name === 'ranked')?.rows
      expect(rows?.map((r) => [r.path, r.restarts])).toEqual([
        ['/user/b', 2],
        ['/user/a', 1],
      ])
    } finally {
      await system.shutdown()
    }
  })

  it('shows what each actor handles per second, its last failure and its stash', async () => {
    observer = await startObserver()
    const system = new ActorSystem({ name: 'rates', logLevel: 'off' })
    try {
      const busy = system.spawn(
        receive<number>(() => undefined),
        { name: 'busy' },
      )
      const stasher = system.spawn(
        behavior<string>(() => (msg, ctx) => {
          if (msg === 'later') ctx.stash()
          if (msg === 'crash') throw new TypeError('bad input')
        }),
        { name: 'stasher' },
      )
      observer.snapshot() // the baseline
      await sleep(300)
      for (let i = 0; i < 500; i++) busy.tell(i)
      for (let i = 0; i < 3; i++) stasher.tell('later')
      await expect.poll(() => system.inspect(busy).mailboxSize).toBe(0)
      stasher.tell('crash')
      await expect.poll(() => system.inspect(stasher).restarts).toBe(1)
      stasher.tell('later')
      await sleep(10)
      const rows = observer.snapshot({ actors: 'rate' }).actorSystems.find((x) => x.name === 'rates')?.rows
      expect(rows?.[0]?.path).toBe('/user/busy')
      expect(rows?.[0]?.handledPerSec).toBeGreaterThan(100)
      const st = rows?.find((r) => r.path === '/user/stasher')
      // Its stash: the one message stashed since the restart (a restart keeps none by default).
      expect(st?.stash).toBeGreaterThanOrEqual(1)
      expect(st?.lastFailure?.error).toMatch(/TypeError: bad input/)
      expect(st?.lastFailure?.at).toBeLessThanOrEqual(Date.now())
    } finally {
      await system.shutdown()
    }
  })

  it('shows named task pools with their running, waiting and ended tasks', async () => {
    observer = await startObserver()
    const pool = new Pool({ size: 2, name: 'crawlers' })
    const tasks = [1, 2, 3].map((i) => pool.spawn((c) => c.sleep(10_000), { name: `crawl-${String(i)}` }))
    expect(tasks).toHaveLength(3)
    const quick = pool.spawn(() => 'done')
    await sleep(5)
    const info = observer.snapshot().pools.find((p) => p.name === 'crawlers')
    expect(info).toMatchObject({ name: 'crawlers', size: 2, running: 2, waiting: 2 })
    await pool.kill()
    await quick.catch(() => undefined)
    const after = observer.snapshot().pools.find((p) => p.name === 'crawlers')
    expect(after).toMatchObject({ running: 0, waiting: 0, cancelled: 4 })
    expect(() => new Pool({ size: 1, name: '' })).toThrow(/`name`/)
    expect(tasks.every((t) => t.state === 'cancelled')).toBe(true)
  })

  it('shows named queues, and no unnamed one', async () => {
    observer = await startObserver()
    const jobs = new Queue<number>({ name: 'jobs', maxsize: 2, items: [1, 2] })
    const unnamed = new Queue<number>()
    unnamed.putNowait(1)
    const waiting = spawn(() => jobs.put(3), { name: 'putter' })
    await sleep(5)
    const q = observer.snapshot().queues.filter((x) => x.name === 'jobs')
    expect(q).toEqual([{ name: 'jobs', kind: 'Queue', size: 2, maxsize: 2, getters: 0, putters: 1 }])
    // The unnamed queue, holding an item, is not listed.
    expect(observer.snapshot().queues.every((x) => x.name !== '' && x.size !== 1)).toBe(true)
    expect(() => new Queue({ name: 5 as never })).toThrow(/`name`/)
    await jobs.get()
    await waiting
  })

  it('lists the steps debug mode found holding the loop, naming the actor and the message', async () => {
    observer = await startObserver()
    const lines: string[] = []
    enableDebug({ slowStepMs: 20, log: (l) => lines.push(l) })
    const system = new ActorSystem({ name: 'slow', logLevel: 'off' })
    try {
      const hog = system.spawn(
        receive<{ type: 'crunch' }>(() => {
          const end = Date.now() + 40
          while (Date.now() < end);
        }),
        { name: 'hog' },
      )
      hog.tell({ type: 'crunch' })
      await expect.poll(() => observer?.snapshot().slowSteps[0]?.actor).toBe('/user/hog')
      const step = observer.snapshot().slowSteps[0]
      expect(step).toMatchObject({ message: 'crunch', task: undefined })
      expect(step?.ms).toBeGreaterThanOrEqual(35)
      expect(
        lines.some((l) => l.includes('actor /user/hog held the event loop') && l.includes('crunch')),
      ).toBe(true)
    } finally {
      disableDebug()
      await system.shutdown()
    }
  })

  it('shows each executor with its size, counts and workers until it shuts down', async () => {
    observer = await startObserver()
    const pool = new ThreadPoolExecutor({ maxWorkers: 2, name: 'crunch' })
    try {
      expect(await Promise.all([pool.submit(add, 1, 2), pool.submit(add, 3, 4)])).toEqual([3, 7])
      const info = observer.snapshot().executors.find((e) => e.name === 'crunch')
      expect(info).toMatchObject({ kind: 'threads', size: 2, completed: 2, failed: 0, queued: 0 })
      expect(info?.runMs.p50).toBeGreaterThanOrEqual(0)
    } finally {
      await pool.shutdown()
    }
    expect(observer.snapshot().executors.some((e) => e.name === 'crunch')).toBe(false)
  })

  it('reports the process and the time the snapshot took', async () => {
    observer = await startObserver()
    const s = observer.snapshot()
    expect(s.process).toMatchObject({ pid: process.pid, node: process.version })
    expect(s.process.heapUsedBytes).toBeGreaterThan(0)
    expect(s.tookMs).toBeGreaterThanOrEqual(0)
    expect(s.v).toBe(1)
    // The event loop held for 150 ms shows in the next snapshot's delay, the timer's own interval
    // not counted in.
    await new Promise((r) => setTimeout(r, 50))
    const end = Date.now() + 150
    while (Date.now() < end);
    await new Promise((r) => setTimeout(r, 30))
    const blocked = observer.snapshot().process.loopDelayMs
    expect(blocked.max).toBeGreaterThanOrEqual(120)
    expect(blocked.max).toBeLessThan(1000)
    expect(blocked.p50).toBeLessThanOrEqual(blocked.p99)
  })
})

describe('startObserver options', () => {
  it('refuses, at the call, a host beyond this machine without a token, and other bad options', () => {
    expect(() => startObserver({ host: '0.0.0.0' })).toThrow(/token/)
    expect(() => startObserver({ port: -1 })).toThrow(RangeError)
    expect(() => startObserver({ port: 1.5 })).toThrow(RangeError)
    expect(() => startObserver({ token: 'short' })).toThrow(/token/)
    expect(() => startObserver({ intervalMs: 1 })).toThrow(RangeError)
    expect(() => startObserver({ maxClients: 0 })).toThrow(RangeError)
    expect(() => startObserver('x' as never)).toThrow(TypeError)
  })

  it('binds to 127.0.0.1 by default and gives its url with the token when there is one', async () => {
    observer = await startObserver({ token: 'sesame-123' })
    expect(observer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=sesame-123$/)
    const denied = await fetch(new URL('/snapshot.json', observer.url))
    expect(denied.status).toBe(401)
    const ok = await fetch(new URL('/snapshot.json?token=sesame-123&actors=rate', observer.url))
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { v: number }).v).toBe(1)
  })
})
