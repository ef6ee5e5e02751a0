import { describe, expect, it } from 'vitest'
import {
  CancelledError,
  Channel,
  InvalidStateError,
  JoinableQueue,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  sleep,
  spawn,
  TimeoutError,
} from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'

// One behavioural suite for every buffered queue (trio's generic tests, pykka's runtime fixture).
const QUEUES: [string, (maxsize?: number) => Queue<number>][] = [
  ['Queue', (maxsize) => new Queue<number>({ maxsize })],
  ['LifoQueue', (maxsize) => new LifoQueue<number>({ maxsize })],
  ['PriorityQueue', (maxsize) => new PriorityQueue<number>({ maxsize })],
  ['JoinableQueue', (maxsize) => new JoinableQueue<number>({ maxsize })],
]

for (const [name, make] of QUEUES) {
  describe(`conformance: ${name}`, () => {
    it('gevent Queue: get blocks while empty and gets the item put later', async () => {
      const q = make()
      const getter = spawn(async (ctx) => ctx.call(q.get()))
      await sleep(0)
      expect(getter.state).toBe('running')
      await q.put(7)
      expect(await getter).toBe(7)
      expect(q.empty).toBe(true)
    })

    it('gevent Queue: put blocks while full; blocked putters are served in order', async () => {
      const q = make(1)
      q.putNowait(0)
      expect(q.full).toBe(true)
      const putters = [1, 2].map((i) => spawn(async (ctx) => ctx.call(q.put(i))))
      await sleep(0)
      expect(q.stats().putters).toBe(2)
      const got = [q.getNowait()]
      await sleep(0)
      got.push(q.getNowait())
      await sleep(0)
      got.push(q.getNowait())
      await Promise.all(putters)
      expect(got).toEqual([0, 1, 2])
    })

    it('gevent Queue: blocked getters are served in arrival order', async () => {
      const q = make()
      const getters = [0, 1, 2].map(() => spawn(async (ctx) => ctx.call(q.get())))
      await sleep(0)
      q.putNowait(10)
      q.putNowait(11)
      q.putNowait(12)
      expect(await Promise.all(getters)).toEqual([10, 11, 12])
    })

    it('gevent Queue: putNowait on a full queue throws QueueFull holding the item; getNowait on empty throws QueueEmpty', () => {
      const q = make(1)
      q.putNowait(1)
      let err: unknown
      try {
        q.putNowait(2)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(QueueFull)
      expect((err as QueueFull).item).toBe(2)
      q.getNowait()
      expect(() => q.getNowait()).toThrow(QueueEmpty)
      expect(() => q.peek()).toThrow(QueueEmpty)
    })

    it('put({timeout}) and get({timeout}) raise TimeoutError, as every timed wait; nothing left waiting', () =>
      withVirtualTime(async (clock) => {
        const q = make(1)
        q.putNowait(1)
        const full = await Promise.resolve(q.put(2, { timeout: 10 })).catch((e: unknown) => e)
        expect(full).toBeInstanceOf(TimeoutError)
        expect(full).not.toBeInstanceOf(QueueFull)
        expect(q.getNowait()).toBe(1)
        const empty = await Promise.resolve(q.get({ timeout: 10 })).catch((e: unknown) => e)
        expect(empty).toBeInstanceOf(TimeoutError)
        expect(empty).not.toBeInstanceOf(QueueEmpty)
        expect(clock.now()).toBe(20)
        expect(q.stats()).toMatchObject({ getters: 0, putters: 0, size: 0 })
      }))

    it('asyncio Queue: a killed getter takes nothing; the item goes to the next getter', async () => {
      const q = make()
      const victim = spawn(async (ctx) => ctx.call(q.get()))
      const next = spawn(async (ctx) => ctx.call(q.get()))
      await sleep(0)
      await victim.kill()
      q.putNowait(5)
      expect(await next).toBe(5)
      expect(victim.state).toBe('cancelled')
    })

    it('asyncio Queue: a killed putter adds nothing', async () => {
      const q = make(1)
      q.putNowait(1)
      const victim = spawn(async (ctx) => ctx.call(q.put(2)))
      await sleep(0)
      await victim.kill()
      expect(q.getNowait()).toBe(1)
      expect(q.empty).toBe(true)
    })

    it('asyncio 3.13 shutdown: puts raise QueueShutDown, getters drain then raise it', async () => {
      const q = make()
      q.putNowait(1)
      q.putNowait(2)
      q.shutdown()
      expect(() => q.putNowait(3)).toThrow(QueueShutDown)
      await expect(q.put(3)).rejects.toBeInstanceOf(QueueShutDown)
      const drained = [await q.get(), await q.get()].sort()
      expect(drained).toEqual([1, 2])
      await expect(q.get()).rejects.toBeInstanceOf(QueueShutDown)
      expect(q.isShutDown).toBe(true)
    })

    it('asyncio 3.13 shutdown(immediate): queued items are dropped and returned, getters woken', async () => {
      const q = make()
      q.putNowait(1)
      q.putNowait(2)
      expect(q.shutdown({ immediate: true }).sort()).toEqual([1, 2])
      expect(q.size).toBe(0)
      await expect(q.get()).rejects.toBeInstanceOf(QueueShutDown)
    })

    it('asyncio 3.13 shutdown: a blocked putter gets QueueShutDown carrying its item', async () => {
      const q = make(1)
      q.putNowait(1)
      const putter = spawn(async (ctx) => ctx.call(q.put(2)))
      await sleep(0)
      q.shutdown()
      const err = (await putter.join(), putter.exception) as QueueShutDown
      expect(err).toBeInstanceOf(QueueShutDown)
      expect(err.items).toEqual([2])
    })

    it('asyncio 3.13 shutdown: blocked getters of an empty queue get QueueShutDown at once', async () => {
      const q = make()
      const getter = spawn(async (ctx) => ctx.call(q.get()))
      await sleep(0)
      q.shutdown()
      await getter.join()
      expect(getter.exception).toBeInstanceOf(QueueShutDown)
    })

    it('for await ends cleanly once the queue is shut down and drained', async () => {
      const q = make(2)
      const producer = spawn(async (ctx) => {
        for (let i = 0; i < 5; i++) await ctx.call(q.put(i))
        q.shutdown()
      })
      const got: number[] = []
      for await (const x of q) got.push(x)
      await producer
      expect(got.sort()).toEqual([0, 1, 2, 3, 4])
    })

    it('size, empty, full and peek describe the queue', () => {
      const q = make(2)
      expect([q.size, q.empty, q.full]).toEqual([0, true, false])
      q.putNowait(3)
      q.putNowait(4)
      expect([q.size, q.empty, q.full]).toEqual([2, false, true])
      expect([3, 4]).toContain(q.peek())
      expect(q.size).toBe(2)
    })

    it('asyncio Queue: a put with room and a get with an item finish at the call, without suspending', async () => {
      const q = make(1)
      const put = q.put(7)
      expect(q.size).toBe(1) // done at the call, before any await
      await put
      let otherRan = false
      const t = spawn(function* () {
        const first = yield* q.get() // no switch: the other task has not run yet
        return [first, otherRan] as const
      })
      const other = spawn(() => {
        otherRan = true
      })
      expect(await t).toEqual([7, false])
      await other
      expect(otherRan).toBe(true)
    })

    it('asyncio Queue: a get that must wait starts only when awaited, so an abandoned one takes nothing', async () => {
      const q = make()
      void q.get()
      q.putNowait(1)
      expect(q.size).toBe(1) // nobody was waiting: the abandoned get never started
      expect(await q.get()).toBe(1)
    })

    it('asyncio Queue: a get or put whose signal already aborted takes and adds nothing', async () => {
      const q = make(1)
      q.putNowait(1)
      const signal = AbortSignal.abort(new CancelledError('gone'))
      await expect(q.get({ signal })).rejects.toBeInstanceOf(CancelledError)
      expect(q.size).toBe(1)
      q.getNowait()
      await expect(q.put(2, { signal })).rejects.toBeInstanceOf(CancelledError)
      expect(q.size).toBe(0)
    })

    it('a bad timeout is a RangeError at the call, even when the item is there', () => {
      const q = make()
      q.putNowait(1)
      expect(() => q.get({ timeout: -1 })).toThrow(RangeError)
      expect(() => q.put(2, { timeout: Number.NaN })).toThrow(RangeError)
      expect(q.size).toBe(1)
    })
  })
}

describe('conformance: queue orders and kinds', () => {
  it('gevent GreenletExit: a get that finds an item while a kill is pending delivers it; the kill raises at the next wait', async () => {
    const q = new Queue<number>({ items: [1] })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let got: number | undefined
    const t = spawn(async (ctx) => {
      await gate // not a verdant wait: the kill cannot land here and stays pending
      got = await ctx.call(q.get())
      await ctx.sleep(60_000)
    })
    await sleep(0)
    const killed = t.kill()
    release()
    await killed
    expect([got, q.size, t.state]).toEqual([1, 0, 'cancelled'])
  })

  it('gevent Queue is FIFO, LifoQueue LIFO, PriorityQueue lowest first', () => {
    const fifo = new Queue<number>({ items: [3, 1, 2] })
    const lifo = new LifoQueue<number>({ items: [3, 1, 2] })
    const prio = new PriorityQueue<number>({ items: [3, 1, 2] })
    const drain = (q: Queue<number>) => [q.getNowait(), q.getNowait(), q.getNowait()]
    expect(drain(fifo)).toEqual([3, 1, 2])
    expect(drain(lifo)).toEqual([2, 1, 3])
    expect(drain(prio)).toEqual([1, 2, 3])
  })

  it('PriorityQueue: a comparator orders items; equal items keep insertion order', () => {
    const q = new PriorityQueue<{ p: number; name: string }>({ compare: (a, b) => a.p - b.p })
    for (const [p, name] of [
      [2, 'b1'],
      [1, 'a'],
      [2, 'b2'],
      [0, 'z'],
    ] as const)
      q.putNowait({ p, name })
    const names = []
    while (!q.empty) names.push(q.getNowait().name)
    expect(names).toEqual(['z', 'a', 'b1', 'b2'])
  })

  it('gevent Queue: maxsize must be a positive integer or Infinity; 0 names Channel', () => {
    expect(() => new Queue({ maxsize: 0 })).toThrow(/use Channel/)
    expect(() => new Queue({ maxsize: -1 })).toThrow(RangeError)
    expect(new Queue().maxsize).toBe(Infinity)
  })

  it('gevent Channel: put resolves only when a get takes the item', async () => {
    const ch = new Channel<string>()
    const put = spawn(async (ctx) => {
      await ctx.call(ch.put('hello'))
      return 'delivered'
    })
    await sleep(0)
    expect(put.state).toBe('running')
    expect(ch.size).toBe(0)
    expect(await ch.get()).toBe('hello')
    expect(await put).toBe('delivered')
    expect(() => ch.putNowait('x')).toThrow(QueueFull)
  })

  it('gevent Channel: a waiting getter makes putNowait succeed', async () => {
    const ch = new Channel<number>()
    const getter = spawn(async (ctx) => ctx.call(ch.get()))
    await sleep(0)
    ch.putNowait(9)
    expect(await getter).toBe(9)
  })

  it('asyncio JoinableQueue: join waits until taskDone was called for every item', async () => {
    const q = new JoinableQueue<number>()
    q.putNowait(1)
    q.putNowait(2)
    expect(q.unfinishedTasks).toBe(2)
    const joined = Promise.resolve(q.join())
    q.getNowait()
    q.taskDone()
    expect(await settledState(joined)).toBe('pending')
    q.getNowait()
    q.taskDone()
    expect(await joined).toBe(true)
    expect(() => q.taskDone()).toThrow(InvalidStateError)
  })

  it('asyncio 3.13: shutdown(immediate) marks dropped items done so join returns', async () => {
    const q = new JoinableQueue<number>({ items: [1, 2, 3] })
    q.shutdown({ immediate: true })
    expect(await q.join()).toBe(true)
    expect(q.unfinishedTasks).toBe(0)
  })

  it('asyncio: a get abandoned through its signal leaves no waiter', async () => {
    const q = new Queue<number>()
    const ac = new AbortController()
    const p = Promise.resolve(q.get({ signal: ac.signal }))
    await sleep(0)
    expect(q.stats().getters).toBe(1)
    ac.abort(new CancelledError('enough'))
    await expect(p).rejects.toBeInstanceOf(CancelledError)
    expect(q.stats().getters).toBe(0)
  })

  it('gevent: a generator consumer is killable while parked in get', async () => {
    const q = new Queue<number>()
    const t = spawn(function* () {
      for (;;) yield* q.get()
    })
    await sleep(0)
    await t.kill()
    expect(q.stats().getters).toBe(0)
  })
})
