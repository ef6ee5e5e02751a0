import { describe, expect, it } from 'vitest'
import {
  type ActorRef,
  behavior,
  call,
  MailboxFullError,
  receive,
  sleep,
  spawn,
  TaskKilled,
  TimeoutError,
  withTimeout,
} from 'verdant'
import { deferred, newSystem, settle } from './helpers.js'

/**
 * An actor that blocks on its first message until released, recording what it handles; `started`
 * resolves once it is blocked, so what the test sends next has to queue.
 */
function gated() {
  const gate = deferred()
  const started = deferred()
  const seen: number[] = []
  const def = receive<number>(async (n) => {
    if (n === 0) {
      started.resolve()
      await gate.promise
    }
    seen.push(n)
  })
  return { def, seen, started: started.promise, release: () => gate.resolve() }
}

describe('conformance: mailboxes', () => {
  it('Akka bounded mailbox dropNewest: a message that does not fit goes to dead letters', async () => {
    const { system, dead } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 2, overflow: 'dropNewest' } })
    a.tell(0)
    await g.started
    for (let i = 1; i <= 4; i++) a.tell(i)
    expect(system.inspect(a).mailboxSize).toBe(2)
    g.release()
    await settle(system)
    expect(g.seen).toEqual([0, 1, 2])
    expect(dead.map((d) => [d.message, d.reason])).toEqual([
      [3, 'dropped'],
      [4, 'dropped'],
    ])
    await system.shutdown()
  })

  it('Akka bounded mailbox dropOldest (Erlang-style shedding): the oldest queued message makes room', async () => {
    const { system, dead } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 2, overflow: 'dropOldest' } })
    a.tell(0)
    await g.started
    for (let i = 1; i <= 4; i++) a.tell(i)
    g.release()
    await settle(system)
    expect(g.seen).toEqual([0, 3, 4])
    expect(dead.map((d) => d.message)).toEqual([1, 2])
    await system.shutdown()
  })

  it('Akka MailboxFull (fail): tell throws MailboxFullError at the sender; nothing is enqueued', async () => {
    const { system } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 1, overflow: 'fail' }, name: 'tight' })
    a.tell(0)
    await g.started
    a.tell(1)
    expect(() => a.tell(2)).toThrow(MailboxFullError)
    expect(() => a.tell(2)).toThrow('mailbox of /user/tight is full (capacity 1)')
    g.release()
    await settle(system)
    expect(g.seen).toEqual([0, 1])
    await system.shutdown()
  })

  it('bounded mailbox, fail policy: an ask that does not fit rejects with MailboxFullError', async () => {
    const { system } = newSystem()
    const gate = deferred()
    const blocked = deferred()
    const a = system.spawn(
      receive<{ replyTo: ActorRef<number> } | 'block'>(async (m) => {
        if (m === 'block') {
          blocked.resolve()
          await gate.promise
        } else m.replyTo.tell(1)
      }),
      { mailbox: { capacity: 1, overflow: 'dropNewest' } },
    )
    a.tell('block')
    await blocked.promise
    a.tell('block')
    await expect(a.ask<number>((replyTo) => ({ replyTo }))).rejects.toThrow(MailboxFullError)
    gate.resolve()
    await system.shutdown()
  })

  it('back-pressure mailbox: tell returns a promise that waits for room, in order', async () => {
    const { system } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 1, overflow: 'backpressure' } })
    await a.tell(0)
    await g.started
    await a.tell(1)
    let admitted = 0
    const p2 = a.tell(2).then(() => admitted++)
    const p3 = a.tell(3).then(() => admitted++)
    await sleep(1)
    expect(admitted).toBe(0)
    expect(system.inspect(a).mailboxSize).toBe(1)
    g.release()
    await Promise.all([p2, p3])
    await settle(system)
    expect(g.seen).toEqual([0, 1, 2, 3])
    await system.shutdown()
  })

  it('back-pressure mailbox: messages still waiting when the actor stops go to dead letters and their tells resolve', async () => {
    const { system, dead } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 1, overflow: 'backpressure' } })
    await a.tell(0)
    await g.started
    await a.tell(1)
    const waiting = a.tell(2)
    const stopping = system.stop(a)
    g.release()
    await stopping
    await waiting
    expect(dead.map((d) => d.message).sort()).toEqual([1, 2])
    await system.shutdown()
  })

  it('back-pressure mailbox: a blocked tell undone by a kill of its sender withdraws its message (as a cancelled Queue.put)', async () => {
    const { system, dead } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 1, overflow: 'backpressure' } })
    await a.tell(0)
    await g.started
    await a.tell(1)
    // One sender of each flavour: an async body binds the wait with ctx.call, a generator yields it.
    const asyncSender = spawn(async (ctx) => {
      await ctx.call(a.tell(2))
    })
    const genSender = spawn(function* () {
      yield* call(a.tell(3))
    })
    await sleep(1)
    expect(asyncSender.done || genSender.done).toBe(false)
    await asyncSender.kill()
    await genSender.kill()
    expect(asyncSender.exception).toBeInstanceOf(TaskKilled)
    expect(genSender.exception).toBeInstanceOf(TaskKilled)
    expect(system.inspect(a).mailboxSize).toBe(1)
    // A tell made after the withdrawn ones is not queued behind them.
    const later = a.tell(4)
    g.release()
    await later
    await settle(system)
    expect(g.seen).toEqual([0, 1, 4])
    expect(system.inspect(a).mailboxSize).toBe(0)
    await system.shutdown()
    expect(dead.map((d) => d.message)).toEqual([])
  })

  it('back-pressure mailbox: a blocked tell undone by a timeout withdraws its message', async () => {
    const { system, dead } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 1, overflow: 'backpressure' } })
    await a.tell(0)
    await g.started
    await a.tell(1)
    await expect(
      withTimeout(5, function* () {
        yield* call(a.tell(2))
      }),
    ).rejects.toBeInstanceOf(TimeoutError)
    expect(system.inspect(a).mailboxSize).toBe(1)
    g.release()
    await settle(system)
    expect(g.seen).toEqual([0, 1])
    await system.shutdown()
    expect(dead.map((d) => d.message)).toEqual([])
  })

  it('back-pressure mailbox: a blocked tell that is not undone is delivered exactly once, even if its sender is killed after', async () => {
    const { system, dead } = newSystem()
    const g = gated()
    const a = system.spawn(g.def, { mailbox: { capacity: 1, overflow: 'backpressure' } })
    await a.tell(0)
    await g.started
    await a.tell(1)
    const admitted = deferred()
    const sender = spawn(async (ctx) => {
      await ctx.call(a.tell(2))
      admitted.resolve()
      await ctx.sleep(60_000)
    })
    await sleep(1)
    const unawaited = a.tell(3)
    await sleep(1)
    g.release()
    await admitted.promise
    await sender.kill()
    await unawaited
    await settle(system)
    expect(g.seen).toEqual([0, 1, 2, 3])
    await system.shutdown()
    expect(dead).toEqual([])
  })

  it('Akka priority mailbox: lower priority values first, FIFO among equals', async () => {
    const { system } = newSystem()
    const gate = deferred()
    const blocked = deferred()
    const seen: string[] = []
    type M = { p: number; id: string }
    const a = system.spawn(
      receive<M>(async (m) => {
        if (m.id === 'gate') {
          blocked.resolve()
          await gate.promise
        } else seen.push(m.id)
      }),
      { mailbox: { priority: (x: M, y: M) => x.p - y.p } },
    )
    a.tell({ p: 0, id: 'gate' })
    await blocked.promise
    for (const [p, id] of [
      [5, 'low1'],
      [1, 'high1'],
      [5, 'low2'],
      [3, 'mid'],
      [1, 'high2'],
    ] as const)
      a.tell({ p, id })
    expect(system.inspect(a).mailboxSize).toBe(5)
    gate.resolve()
    await settle(system)
    expect(seen).toEqual(['high1', 'high2', 'mid', 'low1', 'low2'])
    await system.shutdown()
  })

  it('priority mailbox with stash: unstashed messages come before their equals', async () => {
    const { system } = newSystem()
    type M = { p: number; id: string }
    const seen: string[] = []
    const gate = deferred()
    const opening = deferred()
    const a = system.spawn(
      behavior<M>((ctx) => {
        let open = false
        return async (m) => {
          if (m.id === 'open') {
            opening.resolve()
            await gate.promise
            open = true
            ctx.unstashAll()
          } else if (!open) ctx.stash()
          else seen.push(m.id)
        }
      }),
      { mailbox: { priority: (x: M, y: M) => x.p - y.p } },
    )
    a.tell({ p: 1, id: 'stashed' })
    await settle(system)
    a.tell({ p: 0, id: 'open' })
    // 'later' arrives while 'open' waits, behind the stashed message once that is put back.
    await opening.promise
    a.tell({ p: 1, id: 'later' })
    gate.resolve()
    await settle(system)
    expect(seen).toEqual(['stashed', 'later'])
    await system.shutdown()
  })

  it('mailbox options are checked: capacity, overflow and priority name what is wrong', async () => {
    const { system } = newSystem()
    const def = receive<number>(() => undefined)
    expect(() => system.spawn(def, { mailbox: { capacity: 0 } })).toThrow(/capacity/)
    expect(() => system.spawn(def, { mailbox: { capacity: 2, overflow: 'spill' as never } })).toThrow(
      /overflow/,
    )
    expect(() => system.spawn(def, { mailbox: { priority: 3 as never } })).toThrow(/priority/)
    expect(() =>
      system.spawn(def, {
        mailbox: { priority: (a: number, b: number) => a - b, overflow: 'dropOldest' as never },
      }),
    ).toThrow(/dropOldest/)
    await system.shutdown()
  })

  it('mailbox size is visible for monitoring', async () => {
    const { system } = newSystem()
    const g = gated()
    const a = system.spawn(g.def)
    a.tell(0)
    await g.started
    for (let i = 1; i <= 5; i++) a.tell(i)
    expect(system.inspect(a)).toMatchObject({ mailboxSize: 5, status: 'busy' })
    g.release()
    await settle(system)
    expect(system.inspect(a).mailboxSize).toBe(0)
    await system.shutdown()
  })
})
