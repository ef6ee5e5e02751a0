import { describe, expect, it } from 'vitest'
import {
  type ActorRef,
  ActorSystem,
  call,
  CancelledError,
  type DeadLetter,
  receive,
  sleep,
  spawn,
  TaskKilled,
  TimeoutError,
  withTimeout,
} from 'verdant'

type Msg = { readonly id: number; readonly replyTo?: ActorRef<number> }

/**
 * An actor behind a back-pressure mailbox of capacity 1, blocked on message 0 until released and
 * holding message 1 in its mailbox: any further ask waits for room. `hold(id)` makes the actor
 * block on message `id` too.
 */
async function fullActor() {
  const system = new ActorSystem({ name: 'ask-withdraw', log: () => undefined })
  const dead: DeadLetter[] = []
  system.deadLetters.subscribe((d) => dead.push(d))
  const gates = new Map<number, Promise<void>>()
  const releases: (() => void)[] = []
  const hold = (id: number): void => {
    gates.set(id, new Promise<void>((r) => releases.push(r)))
  }
  hold(0)
  const seen: number[] = []
  const ref = system.spawn(
    receive<Msg>(async (m) => {
      await gates.get(m.id)
      seen.push(m.id)
      m.replyTo?.tell(m.id * 10)
    }),
    { mailbox: { capacity: 1, overflow: 'backpressure' } },
  )
  await ref.tell({ id: 0 })
  await sleep(1)
  await ref.tell({ id: 1 })
  expect(system.inspect(ref).mailboxSize).toBe(1)
  /** Releases the held messages and lets the actor run everything it holds; returns what it handled. */
  const drain = async (): Promise<number[]> => {
    for (const release of releases.splice(0)) release()
    let last = -1
    // Settled once a few turns in a row see nothing new.
    for (let quiet = 0; quiet < 3;) {
      await sleep(2)
      quiet = seen.length === last ? quiet + 1 : 0
      last = seen.length
    }
    return seen
  }
  const releaseFirst = (): void => releases.shift()?.()
  // A test that fails half-way still leaves no actor behind for the leak check.
  const dispose = async (): Promise<void> => {
    for (const release of releases.splice(0)) release()
    await system.shutdown()
  }
  return { system, ref, dead, seen, hold, drain, releaseFirst, [Symbol.asyncDispose]: dispose }
}

describe('an ask waiting for room in a back-pressure mailbox withdraws its message when it gives up', () => {
  it('its own timeout: the message is never delivered, and a retry is delivered once', async () => {
    await using actor = await fullActor()
    const { system, ref, dead, drain } = actor
    await expect(ref.ask<number>((replyTo) => ({ id: 2, replyTo }), { timeout: 5 })).rejects.toBeInstanceOf(
      TimeoutError,
    )
    expect(system.inspect(ref).mailboxSize).toBe(1)
    const retry = ref.ask<number>((replyTo) => ({ id: 2, replyTo }), { timeout: 2000 })
    expect(await drain()).toEqual([0, 1, 2])
    expect(await retry).toBe(20)
    await system.shutdown()
    expect(dead).toEqual([])
  })

  it('its signal: the ask rejects with the reason and the message is never delivered', async () => {
    await using actor = await fullActor()
    const { system, ref, dead, drain } = actor
    const ac = new AbortController()
    const asked = ref.ask<number>((replyTo) => ({ id: 2, replyTo }), { signal: ac.signal })
    await sleep(1)
    const reason = new Error('gave up')
    ac.abort(reason)
    await expect(asked).rejects.toBe(reason)
    expect(await drain()).toEqual([0, 1])
    await system.shutdown()
    expect(dead).toEqual([])
  })

  it('the asking task passed ctx.signal and was killed', async () => {
    await using actor = await fullActor()
    const { system, ref, dead, drain } = actor
    const asker = spawn(async (ctx) => {
      await ref.ask<number>((replyTo) => ({ id: 2, replyTo }), { signal: ctx.signal })
    })
    await sleep(1)
    await asker.kill()
    expect(asker.exception).toBeInstanceOf(TaskKilled)
    expect(await drain()).toEqual([0, 1])
    await system.shutdown()
    expect(dead).toEqual([])
  })

  it('the asking task bound the ask with ctx.call or yield* call and was killed', async () => {
    await using actor = await fullActor()
    const { system, ref, dead, drain } = actor
    const asyncAsker = spawn(async (ctx) => {
      await ctx.call(ref.ask<number>((replyTo) => ({ id: 2, replyTo })))
    })
    const genAsker = spawn(function* () {
      yield* call(ref.ask<number>((replyTo) => ({ id: 3, replyTo })))
    })
    await sleep(1)
    await asyncAsker.kill()
    await genAsker.kill()
    expect(asyncAsker.exception).toBeInstanceOf(TaskKilled)
    expect(genAsker.exception).toBeInstanceOf(TaskKilled)
    // A message sent after the withdrawn ones is not queued behind them.
    const later = ref.ask<number>((replyTo) => ({ id: 4, replyTo }))
    expect(await drain()).toEqual([0, 1, 4])
    expect(await later).toBe(40)
    await system.shutdown()
    expect(dead).toEqual([])
  })

  it('a Timeout of the asking task fires while it waits for room', async () => {
    await using actor = await fullActor()
    const { system, ref, dead, drain } = actor
    await expect(
      withTimeout(5, function* () {
        yield* call(ref.ask<number>((replyTo) => ({ id: 2, replyTo })))
      }),
    ).rejects.toBeInstanceOf(TimeoutError)
    expect(await drain()).toEqual([0, 1])
    await system.shutdown()
    expect(dead).toEqual([])
  })

  it('an abandoned ask rejects for every other waiter too, with a CancelledError for a kill', async () => {
    await using actor = await fullActor()
    const { system, ref, drain } = actor
    const asked = ref.ask<number>((replyTo) => ({ id: 2, replyTo }))
    const outcome = asked.then(
      () => 'resolved',
      (err: unknown) => err,
    )
    const asker = spawn(async (ctx) => {
      await ctx.call(asked)
    })
    await sleep(1)
    await asker.kill()
    expect(await outcome).toBeInstanceOf(CancelledError)
    expect(await drain()).toEqual([0, 1])
    await system.shutdown()
  })

  it('an ask admitted before it gives up is delivered once, its late reply going to dead letters', async () => {
    await using actor = await fullActor()
    const { system, ref, dead, seen, hold, drain, releaseFirst } = actor
    // The actor blocks on messages 1 and 2 too, so what is admitted behind them stays queued.
    hold(1)
    hold(2)
    const queued = async (handled: number): Promise<void> => {
      const until = Date.now() + 2000
      while ((seen.length < handled || system.inspect(ref).mailboxSize !== 1) && Date.now() < until)
        await sleep(1)
      expect(seen.length).toBe(handled)
    }
    let timedOut: unknown
    const timed = ref
      .ask<number>((replyTo) => ({ id: 2, replyTo }), { timeout: 40 })
      .catch((e: unknown) => {
        timedOut = e
      })
    releaseFirst()
    await queued(1)
    const asker = spawn(async (ctx) => {
      await ctx.call(ref.ask<number>((replyTo) => ({ id: 3, replyTo })))
    })
    await sleep(1)
    releaseFirst()
    await queued(2)
    // Both asks are admitted now: the timeout and the kill below leave their messages queued.
    await asker.kill()
    await timed
    expect(timedOut).toBeInstanceOf(TimeoutError)
    expect(await drain()).toEqual([0, 1, 2, 3])
    await system.shutdown()
    // The timed-out ask is settled, so its reply has nowhere to go; the killed task's ask is only
    // abandoned, as any promise a killed task waited on, and takes its reply.
    expect(dead.map((d) => [d.message, d.reason])).toEqual([[20, 'ask-settled']])
  })
})
