import { describe, expect, it } from 'vitest'
import {
  Actor,
  ActorStoppedError,
  type ActorContext,
  type ActorRef,
  behavior,
  type Handler,
  receive,
  sleep,
  TimeoutError,
} from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { newSystem, probe, settle } from './helpers.js'

type CounterMsg = { type: 'inc'; by?: number } | { type: 'get'; replyTo: ActorRef<number> } | { type: 'boom' }

class Counter extends Actor<CounterMsg> {
  count = 0
  receive(msg: CounterMsg): void {
    if (msg.type === 'inc') this.count += msg.by ?? 1
    else if (msg.type === 'get') msg.replyTo.tell(this.count)
    else throw new Error('boom')
  }
}

const counterBehavior = behavior<CounterMsg>(() => {
  let count = 0
  return (msg) => {
    if (msg.type === 'inc') count += msg.by ?? 1
    else if (msg.type === 'get') msg.replyTo.tell(count)
    else throw new Error('boom')
  }
})

const get = (ref: ActorRef<CounterMsg>): Promise<number> =>
  ref.ask<number>((replyTo) => ({ type: 'get', replyTo }), { timeout: 1000 })

describe('conformance: actors and refs', () => {
  it('Akka tell/ask: a class actor counts what it is told and answers an ask', async () => {
    const { system } = newSystem()
    const c = system.spawn(Counter, { name: 'counter' })
    c.tell({ type: 'inc' })
    c.tell({ type: 'inc', by: 4 })
    expect(await get(c)).toBe(5)
    await system.shutdown()
  })

  it('Akka Behaviors.setup: a behavior actor keeps state in its setup closure', async () => {
    const { system } = newSystem()
    const c = system.spawn(counterBehavior)
    c.tell({ type: 'inc', by: 2 })
    expect(await get(c)).toBe(2)
    await system.shutdown()
  })

  it('Akka ActorRef: the ref exposes tell, ask and path only; the state is unreachable', async () => {
    const { system } = newSystem()
    const c = system.spawn(Counter, { name: 'c' })
    expect(Object.keys(c)).toEqual([])
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(c)).sort()).toEqual(
      ['ask', 'constructor', 'path', 'tell', 'toString', '_kind'].sort(),
    )
    expect('count' in c).toBe(false)
    await system.shutdown()
  })

  it('Akka ActorPath: paths name the tree, e.g. /user/stats/poller-1; anonymous actors get $n', async () => {
    const { system } = newSystem()
    let child: ActorRef<never> | undefined
    const stats = system.spawn(
      behavior<never>((ctx) => {
        child = ctx.spawn(
          receive<never>(() => undefined),
          { name: 'poller-1' },
        )
        ctx.spawn(receive<never>(() => undefined))
        return () => undefined
      }),
      { name: 'stats' },
    )
    await settle(system)
    expect(stats.path).toBe('/user/stats')
    expect(child?.path).toBe('/user/stats/poller-1')
    expect(system.spawn(receive<never>(() => undefined)).path).toMatch(/^\/user\/\$\d+$/)
    await system.shutdown()
  })

  it('OTP registered names: lookup finds a live actor by path, absolute or relative to /user', async () => {
    const { system } = newSystem()
    let child: ActorRef<never> | undefined
    system.spawn(
      behavior<never>((ctx) => {
        child = ctx.spawn(
          receive<never>(() => undefined),
          { name: 'poller-1' },
        )
        return () => undefined
      }),
      { name: 'stats' },
    )
    await settle(system)
    expect(child).toBeDefined()
    expect(system.lookup('/user/stats/poller-1')).toBe(child)
    expect(system.lookup('stats/poller-1')).toBe(child)
    expect(system.lookup('/user/stats/nobody')).toBeUndefined()
    expect(system.lookup('/system/stats')).toBeUndefined()
    const anon = system.spawn(receive<never>(() => undefined))
    expect(system.lookup(anon.path)).toBe(anon)
    await system.stop(anon)
    expect(system.lookup(anon.path)).toBeUndefined()
    await system.shutdown()
  })

  it('OTP register: a name taken by a live sibling is refused; bad names are a TypeError', async () => {
    const { system } = newSystem()
    system.spawn(Counter, { name: 'x' })
    expect(() => system.spawn(Counter, { name: 'x' })).toThrow(/already lives under \/user/)
    expect(() => system.spawn(Counter, { name: 'a/b' })).toThrow(TypeError)
    expect(() => system.spawn(Counter, { name: '$1' })).toThrow(TypeError)
    expect(() => system.spawn({} as never)).toThrow(/Actor subclass or a behavior/)
    await system.shutdown()
  })

  it('Akka message ordering: messages from one sender are handled in the order sent', async () => {
    const { system } = newSystem()
    const p = probe<number>(system)
    for (let i = 0; i < 1000; i++) p.ref.tell(i)
    await settle(system)
    expect(p.got).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    await system.shutdown()
  })

  it('Akka actor model: an async receive is never interleaved with the next message', async () => {
    const { system } = newSystem()
    const log: string[] = []
    const a = system.spawn(
      receive<number>(async (n) => {
        log.push(`start ${String(n)}`)
        await sleep(n === 1 ? 5 : 0)
        log.push(`end ${String(n)}`)
      }),
    )
    a.tell(1)
    a.tell(2)
    a.tell(3)
    await settle(system)
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3'])
    await system.shutdown()
  })

  it('Akka ask: the reply type follows the reply-to ref; ctx.sender is the reply-to ref', async () => {
    const { system } = newSystem()
    const echo = system.spawn(
      receive<string>((text, ctx) => {
        ctx.sender?.tell(text.toUpperCase())
      }),
    )
    const answer: string = await echo.ask<string>(() => 'hi')
    expect(answer).toBe('HI')
    await system.shutdown()
  })

  it('Akka Typed ask: the actor tells the replyTo ref in the message; each request gets its own reply type', async () => {
    type Req =
      | { type: 'count'; replyTo: ActorRef<number> }
      | { type: 'label'; prefix: string; replyTo: ActorRef<string> }
    const { system, dead } = newSystem()
    const seen: unknown[] = []
    const r = system.spawn(
      receive<Req>((msg, ctx) => {
        seen.push(ctx.sender === msg.replyTo)
        if (msg.type === 'count') msg.replyTo.tell(seen.length)
        else msg.replyTo.tell(`${msg.prefix}-${String(seen.length)}`)
      }),
    )
    const n: number = await r.ask((replyTo) => ({ type: 'count', replyTo }), { timeout: 1000 })
    const label: string = await r.ask((replyTo) => ({ type: 'label', prefix: 'x', replyTo }))
    expect([n, label]).toEqual([1, 'x-2'])
    expect(seen).toEqual([true, true])
    await system.shutdown()
    expect(dead).toEqual([])
  })

  it('Akka ask timeout: rejects with TimeoutError and the late reply goes to dead letters', () =>
    withVirtualTime(async () => {
      const { system, dead } = newSystem()
      const slow = system.spawn(
        receive<{ replyTo: ActorRef<string> }>(async (msg) => {
          await sleep(500)
          msg.replyTo.tell('late')
        }),
        { name: 'slow' },
      )
      const asked = slow.ask<string>((replyTo) => ({ replyTo }), { timeout: 100 })
      await expect(asked).rejects.toThrow(TimeoutError)
      await expect(asked).rejects.toThrow(/no reply within 100 ms/)
      await sleep(500)
      await settle(system)
      expect(dead).toHaveLength(1)
      expect(dead[0]).toMatchObject({ message: 'late', reason: 'ask-settled' })
      expect(dead[0]?.recipient).toMatch(/^\/temp\/\$ask-/)
      await system.shutdown()
    }))

  it('Akka ask with a signal: aborting the signal rejects the ask with its reason', async () => {
    const { system } = newSystem()
    const never = system.spawn(receive<{ replyTo: ActorRef<number> }>(() => undefined))
    const ac = new AbortController()
    const asked = never.ask<number>((replyTo) => ({ replyTo }), { signal: ac.signal })
    ac.abort(new Error('gave up'))
    await expect(asked).rejects.toThrow('gave up')
    await system.shutdown()
  })

  it('Akka AskTimeout vs dead actor: an ask to a stopped actor fails fast with ActorStoppedError', async () => {
    const { system, dead } = newSystem()
    const c = system.spawn(Counter, { name: 'gone' })
    await system.stop(c)
    await expect(get(c)).rejects.toThrow(ActorStoppedError)
    expect(dead.at(-1)).toMatchObject({ recipient: '/user/gone', reason: 'stopped' })
    await system.shutdown()
  })

  it('Akka ask + failure: an ask whose message makes the actor fail rejects with that error', async () => {
    const { system } = newSystem()
    const c = system.spawn(
      receive<{ replyTo: ActorRef<number> }>(() => {
        throw new RangeError('bad request')
      }),
    )
    await expect(c.ask<number>((replyTo) => ({ replyTo }))).rejects.toThrow(RangeError)
    await system.shutdown()
  })

  it('Akka sender(): a tell from inside a handler carries the sending actor as sender', async () => {
    const { system } = newSystem()
    const p = probe<string>(system)
    const replier = system.spawn(
      receive<string>((m, ctx) => {
        ctx.sender?.tell(`re: ${m}`)
      }),
    )
    const starter = system.spawn(
      receive<string>((m, ctx) => {
        if (m === 'go') replier.tell('hello')
        else p.ref.tell(`${m} (to ${ctx.self.path})`)
      }),
      { name: 'starter' },
    )
    starter.tell('go')
    expect(await p.next()).toBe('re: hello (to /user/starter)')
    await system.shutdown()
  })

  it('Akka typed: a handler may return the next behaviour (a state machine)', async () => {
    const { system } = newSystem()
    type M = { type: 'open' } | { type: 'close' } | { type: 'state'; replyTo: ActorRef<string> }
    const closed: Handler<M> = (msg) => {
      if (msg.type === 'open') return opened
      if (msg.type === 'state') msg.replyTo.tell('closed')
      return undefined
    }
    const opened: Handler<M> = (msg) => {
      if (msg.type === 'close') return closed
      if (msg.type === 'state') msg.replyTo.tell('open')
      return undefined
    }
    const door = system.spawn(receive(closed))
    const state = (): Promise<string> => door.ask<string>((replyTo) => ({ type: 'state', replyTo }))
    expect(await state()).toBe('closed')
    door.tell({ type: 'open' })
    expect(await state()).toBe('open')
    door.tell({ type: 'close' })
    expect(await state()).toBe('closed')
    await system.shutdown()
  })

  it('Akka become: ctx.become swaps the handler of a class actor', async () => {
    const { system } = newSystem()
    class Greeter extends Actor<{ text: string; replyTo: ActorRef<string> }> {
      receive(
        msg: { text: string; replyTo: ActorRef<string> },
        ctx: ActorContext<{ text: string; replyTo: ActorRef<string> }>,
      ): void {
        msg.replyTo.tell(`hello ${msg.text}`)
        ctx.become((m) => {
          m.replyTo.tell(`again ${m.text}`)
        })
      }
    }
    const g = system.spawn(Greeter)
    expect(await g.ask<string>((replyTo) => ({ text: 'a', replyTo }))).toBe('hello a')
    expect(await g.ask<string>((replyTo) => ({ text: 'b', replyTo }))).toBe('again b')
    await system.shutdown()
  })

  it('Akka Stash: stashed messages come back first, in the order they arrived', async () => {
    const { system } = newSystem()
    const p = probe<string>(system)
    const a = system.spawn(
      behavior<string>((ctx) => {
        let ready = false
        return (m) => {
          if (m === 'ready') {
            ready = true
            ctx.unstashAll()
          } else if (!ready) ctx.stash()
          else p.ref.tell(m)
        }
      }),
    )
    for (const m of ['a', 'b', 'c', 'ready', 'd']) a.tell(m)
    await settle(system)
    expect(p.got).toEqual(['a', 'b', 'c', 'd'])
    await system.shutdown()
  })

  it('Akka Stash: a stashed ask is answered once unstashed', async () => {
    const { system } = newSystem()
    type M = { type: 'get'; replyTo: ActorRef<number> } | { type: 'open' }
    const a = system.spawn(
      behavior<M>((ctx) => {
        let open = false
        return (m) => {
          if (m.type === 'open') {
            open = true
            ctx.unstashAll()
          } else if (!open) ctx.stash()
          else m.replyTo.tell(42)
        }
      }),
    )
    const asked = a.ask<number>((replyTo) => ({ type: 'get', replyTo }))
    a.tell({ type: 'open' })
    expect(await asked).toBe(42)
    await system.shutdown()
  })

  it('Akka timers: a single timer fires once on the virtual clock', () =>
    withVirtualTime(async (clock) => {
      const { system } = newSystem()
      const seen: number[] = []
      system.spawn(
        behavior<string>((ctx) => {
          ctx.timers.startSingleTimer('t', 'tick', 1000)
          return () => {
            seen.push(clock.now())
          }
        }),
      )
      await sleep(5000)
      expect(seen).toEqual([1000])
      await system.shutdown()
    }))

  it('Akka timers: a periodic timer fires every interval until cancelled', () =>
    withVirtualTime(async (clock) => {
      const { system } = newSystem()
      const seen: number[] = []
      system.spawn(
        behavior<string>((ctx) => {
          ctx.timers.startPeriodicTimer('poll', 'tick', 100)
          return () => {
            seen.push(clock.now())
            if (seen.length === 3) ctx.timers.cancel('poll')
          }
        }),
      )
      await sleep(1000)
      expect(seen).toEqual([100, 200, 300])
      await system.shutdown()
    }))

  it('Akka timers: restarting a key replaces the timer, and a cancelled message is never handled', () =>
    withVirtualTime(async (clock) => {
      const { system } = newSystem()
      const seen: string[] = []
      const a = system.spawn(
        behavior<string>((ctx) => {
          ctx.timers.startSingleTimer('k', 'first', 100)
          ctx.timers.startSingleTimer('k', 'second', 200)
          return async (m) => {
            seen.push(`${m}@${String(clock.now())}`)
            if (m === 'block') {
              // The timer fires while this message is handled; cancelling then drops its message.
              await sleep(400)
              ctx.timers.startSingleTimer('z', 'never', 10)
              await sleep(50)
              ctx.timers.cancel('z')
            }
          }
        }),
      )
      a.tell('block')
      await sleep(1000)
      expect(seen).toEqual(['block@0', 'second@450'])
      await system.shutdown()
    }))

  it('Akka log: ctx.log writes records tagged with the actor path', async () => {
    const { system, logs } = newSystem()
    const a = system.spawn(
      receive<string>((m, ctx) => {
        ctx.log.info(`got ${m}`)
      }),
      { name: 'talker' },
    )
    a.tell('x')
    await settle(system)
    expect(logs.find((r) => r.message === 'got x')).toMatchObject({ level: 'info', path: '/user/talker' })
    await system.shutdown()
  })
})
