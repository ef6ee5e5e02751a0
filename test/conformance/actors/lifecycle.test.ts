import { describe, expect, it } from 'vitest'
import {
  Actor,
  type ActorContext,
  ActorSystem,
  type ActorRef,
  behavior,
  killAll,
  PoisonPill,
  receive,
  sleep,
  spawn,
  Terminated,
} from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { deferred, newSystem, probe, settle } from './helpers.js'

/** A tree: root → (a → (a1, a2), b), recording hook order into `events`. */
function tree(events: string[]) {
  const leaf = (name: string) =>
    behavior<string>(() => ({
      receive: () => undefined,
      postStop: () => {
        events.push(`postStop ${name}`)
      },
    }))
  const a = behavior<string>((ctx) => {
    ctx.spawn(leaf('a1'), { name: 'a1' })
    ctx.spawn(leaf('a2'), { name: 'a2' })
    return { receive: () => undefined, postStop: () => void events.push('postStop a') }
  })
  return behavior<string>((ctx) => {
    ctx.spawn(a, { name: 'a' })
    ctx.spawn(leaf('b'), { name: 'b' })
    return { receive: () => undefined, postStop: () => void events.push('postStop root') }
  })
}

describe('conformance: lifecycle and stopping', () => {
  it('Akka preStart: runs before the first message', async () => {
    const { system } = newSystem()
    const seen: string[] = []
    class A extends Actor<string> {
      override preStart(): void {
        seen.push('preStart')
      }
      receive(m: string): void {
        seen.push(m)
      }
    }
    system.spawn(A).tell('first')
    await settle(system)
    expect(seen).toEqual(['preStart', 'first'])
    await system.shutdown()
  })

  it('Akka async preStart: messages wait until it has finished', async () => {
    const { system } = newSystem()
    const seen: string[] = []
    class A extends Actor<string> {
      override async preStart(): Promise<void> {
        await sleep(5)
        seen.push('ready')
      }
      receive(m: string): void {
        seen.push(m)
      }
    }
    system.spawn(A).tell('first')
    await settle(system)
    expect(seen).toEqual(['ready', 'first'])
    await system.shutdown()
  })

  it('Akka stop: the current message finishes, then the actor stops; later messages are dead letters', async () => {
    const { system, dead } = newSystem()
    const seen: string[] = []
    const started = deferred()
    const a = system.spawn(
      receive<string>(async (m) => {
        seen.push(`start ${m}`)
        started.resolve()
        await sleep(5)
        seen.push(`end ${m}`)
      }),
    )
    a.tell('one')
    a.tell('two')
    // Stopped while 'one' is being handled, with 'two' still queued.
    await started.promise
    expect(seen).toEqual(['start one'])
    await system.stop(a)
    expect(seen).toEqual(['start one', 'end one'])
    expect(dead.map((d) => [d.message, d.reason])).toEqual([['two', 'stopped']])
    await system.shutdown()
  })

  it('Akka PoisonPill: stops the actor after the messages queued before it', async () => {
    const { system, dead } = newSystem()
    const p = probe<string>(system)
    const a = system.spawn(receive<string>((m) => p.ref.tell(m)))
    a.tell('1')
    a.tell('2')
    a.tell(PoisonPill)
    a.tell('3')
    await settle(system)
    expect(system.inspect(a).status).toBe('stopped')
    expect(p.got).toEqual(['1', '2'])
    expect(dead.map((d) => d.message)).toEqual(['3'])
    await system.shutdown()
  })

  it('Akka stop: children stop before their parent; postStop runs bottom-up', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const root = system.spawn(tree(events), { name: 'root' })
    await settle(system)
    expect(system.lookup('/user/root/a/a2')).toBeDefined()
    await system.stop(root)
    expect(events.indexOf('postStop a1')).toBeLessThan(events.indexOf('postStop a'))
    expect(events.indexOf('postStop a2')).toBeLessThan(events.indexOf('postStop a'))
    expect(events.indexOf('postStop a')).toBeLessThan(events.indexOf('postStop root'))
    expect(events.indexOf('postStop b')).toBeLessThan(events.indexOf('postStop root'))
    expect(events).toHaveLength(5)
    await system.shutdown()
  })

  it('Akka ctx.stop: an actor may stop itself or a child, not a stranger', async () => {
    const { system } = newSystem()
    const stranger = system.spawn(receive<string>(() => undefined))
    let error: unknown
    let child: ActorRef<string> | undefined
    const a = system.spawn(
      behavior<string>((ctx) => {
        child = ctx.spawn(receive<string>(() => undefined))
        return (m) => {
          if (m === 'stranger') {
            try {
              ctx.stop(stranger)
            } catch (e) {
              error = e
            }
          } else if (m === 'child' && child !== undefined) ctx.stop(child)
          else ctx.stop()
        }
      }),
    )
    a.tell('stranger')
    a.tell('child')
    await settle(system)
    expect(system.inspect(child as ActorRef<string>).status).toBe('stopped')
    expect(String(error)).toMatch(/can stop only itself or its children/)
    a.tell('self')
    await settle(system)
    expect(system.inspect(a).status).toBe('stopped')
    expect(system.inspect(stranger).status).toBe('running')
    await system.shutdown()
  })

  it('Akka postStop always runs: after a stop directive, a PoisonPill, a self-stop and at shutdown', async () => {
    const { system } = newSystem()
    const stopped: string[] = []
    const def = (name: string) =>
      behavior<string>((ctx) => ({
        receive: (m) => {
          if (m === 'fail') throw new Error('x')
          if (m === 'quit') ctx.stop()
        },
        postStop: () => void stopped.push(name),
      }))
    const refs = new Map<string, ActorRef<string>>()
    system.spawn(
      behavior<never>((ctx) => {
        refs.set('failer', ctx.spawn(def('failer')))
        return () => undefined
      }),
      { supervisor: { decide: () => 'stop' } },
    )
    const pill = system.spawn(def('pill'))
    const quitter = system.spawn(def('quitter'))
    system.spawn(def('bystander'))
    await settle(system)
    refs.get('failer')?.tell('fail')
    pill.tell(PoisonPill)
    quitter.tell('quit')
    await settle(system)
    expect([...stopped].sort()).toEqual(['failer', 'pill', 'quitter'])
    await system.shutdown()
    expect(stopped.sort()).toEqual(['bystander', 'failer', 'pill', 'quitter'])
  })

  it('Akka/OTP shutdown: stops the tree top-down, runs every postStop and reports the count', async () => {
    const { system } = newSystem()
    const events: string[] = []
    system.spawn(tree(events), { name: 'root' })
    await settle(system)
    expect(system.lookup('/user/root/a/a2')).toBeDefined()
    const report = await system.shutdown()
    expect(events).toHaveLength(5)
    expect(events.at(-1)).toBe('postStop root')
    expect(report).toEqual({ stopped: 5, unresponsive: [] })
    expect(system.terminated).toBe(true)
    expect(() => system.spawn(receive<string>(() => undefined))).toThrow(/stopping/)
  })

  it('OTP shutdown timeout: an actor stuck in a message is cut off after the timeout and reported', () =>
    withVirtualTime(async () => {
      const { system } = newSystem({ stopTimeoutMs: 1000 })
      let stopped = false
      const stuck = system.spawn(
        behavior<string>((ctx) => ({
          receive: () => new Promise<void>(() => undefined),
          postStop: () => {
            stopped = true
            expect(ctx.signal.aborted).toBe(true)
          },
        })),
        { name: 'stuck' },
      )
      stuck.tell('hang')
      await sleep(10)
      const report = await system.shutdown()
      expect(report.unresponsive).toEqual(['/user/stuck'])
      expect(stopped).toBe(true)
    }))

  it('OTP shutdown timeout: a postStop that never finishes is reported and does not block the rest', () =>
    withVirtualTime(async (clock) => {
      const { system } = newSystem()
      system.spawn(
        behavior<string>(() => ({
          receive: () => undefined,
          postStop: () => new Promise<void>(() => undefined),
        })),
        { name: 'slow' },
      )
      await sleep(1)
      const report = await system.shutdown({ timeoutMs: 250 })
      expect(report.unresponsive).toEqual(['/user/slow'])
      expect(clock.now()).toBe(251)
    }))

  it('verdant run(): killing the system task (as a signal does) shuts the actors down gracefully', async () => {
    const stopped: string[] = []
    const made = deferred<ActorSystem>()
    const main = spawn(async (ctx) => {
      const system = new ActorSystem({ name: 'under-main', logLevel: 'off' })
      system.spawn(
        behavior<string>(() => ({ receive: () => undefined, postStop: () => void stopped.push('a') })),
      )
      made.resolve(system)
      await ctx.sleep(Infinity)
    })
    const system = await made.promise
    await settle(system)
    // The system's root task is a child of main: killing main shuts the actors down.
    await killAll([main])
    expect(stopped).toEqual(['a'])
    expect(system.terminated).toBe(true)
  })

  it('await using: disposing the system shuts it down', async () => {
    const stopped: string[] = []
    {
      await using system = new ActorSystem({ logLevel: 'off' })
      system.spawn(
        behavior<string>(() => ({ receive: () => undefined, postStop: () => void stopped.push('x') })),
      )
      await settle(system)
    }
    expect(stopped).toEqual(['x'])
  })

  it('OTP top supervisor death: a failure escalated past the guardian shuts the system down with that error', async () => {
    const { system } = newSystem()
    const boom = new Error('fatal')
    const a = system.spawn(
      receive<string>(() => {
        throw boom
      }),
      { supervision: { decide: () => 'escalate' } },
    )
    a.tell('x')
    const report = await system.whenTerminated
    expect(report.error).toBe(boom)
    expect(system.terminated).toBe(true)
  })

  it('onEscalation stop: only the failing top-level actor stops; the system stays up', async () => {
    const { system, logs } = newSystem({ onEscalation: 'stop' })
    const a = system.spawn(
      receive<string>(() => {
        throw new Error('fatal')
      }),
      { supervision: { decide: () => 'escalate' } },
    )
    const b = system.spawn(receive<string>(() => undefined))
    a.tell('x')
    await settle(system)
    expect(system.inspect(a).status).toBe('stopped')
    expect(system.inspect(b).status).toBe('running')
    expect(logs.some((r) => r.level === 'error' && r.message.includes('escalated past the guardian'))).toBe(
      true,
    )
    await system.shutdown()
  })

  it('ctx.signal aborts when the incarnation ends, so async handlers can stop their I/O', async () => {
    const { system } = newSystem()
    const handling = deferred<AbortSignal>()
    const a = system.spawn(
      receive<string>(async (_m, ctx) => {
        handling.resolve(ctx.signal)
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))
      }),
      { supervision: { decide: () => 'restart' } },
    )
    a.tell('x')
    // The handler never finishes on its own, so the shutdown finds it running.
    const signal = await handling.promise
    const report = system.shutdown({ timeoutMs: 50 })
    expect((await report).unresponsive).toEqual([a.path])
    expect(signal.aborted).toBe(true)
  })
})

describe('conformance: death watch', () => {
  it('Akka watch: Terminated arrives when the watched actor stops', async () => {
    const { system } = newSystem()
    const target = system.spawn(
      receive<string>(() => undefined),
      { name: 'target' },
    )
    const p = probe<string>(system)
    system.spawn(
      behavior<Terminated>((ctx) => {
        ctx.watch(target)
        return (m) => p.ref.tell(`${m.type} ${m.ref.path}`)
      }),
    )
    await settle(system)
    await system.stop(target)
    expect(await p.next()).toBe('terminated /user/target')
    await system.shutdown()
  })

  it('Erlang monitor on a dead process: watching an actor that already stopped delivers Terminated at once', async () => {
    const { system } = newSystem()
    const target = system.spawn(receive<string>(() => undefined))
    await system.stop(target)
    const p = probe<string>(system)
    system.spawn(
      behavior<Terminated>((ctx) => {
        ctx.watch(target)
        return (m) => p.ref.tell(m.type)
      }),
    )
    expect(await p.next()).toBe('terminated')
    await system.shutdown()
  })

  it('Akka stop of a parent: idle children stop with it at once; watchers, timers and signals see it', () =>
    withVirtualTime(async () => {
      const { system } = newSystem()
      let ticks = 0
      let childSignal: AbortSignal | undefined
      let child: ActorRef<'tick'> | undefined
      const parent = system.spawn(
        behavior<string>((ctx) => {
          child = ctx.spawn(
            behavior<'tick'>((c) => {
              childSignal = c.signal
              c.timers.startPeriodicTimer('tick', 'tick', 10)
              return () => {
                ticks++
              }
            }),
            { name: 'child' },
          )
          return () => undefined
        }),
        { name: 'parent' },
      )
      await sleep(25)
      expect(ticks).toBe(2)
      const p = probe<string>(system)
      system.spawn(
        behavior<Terminated>((ctx) => {
          ctx.watch(child as ActorRef<'tick'>)
          return (m) => p.ref.tell(`${m.type} ${m.ref.path}`)
        }),
      )
      await settle(system)
      await system.stop(parent)
      expect(await p.next()).toBe('terminated /user/parent/child')
      expect(childSignal?.aborted).toBe(true)
      await sleep(100)
      expect(ticks).toBe(2) // its periodic timer went with it
      expect(system.inspect(child as ActorRef<'tick'>).status).toBe('stopped')
      expect(system.lookup('/user/parent/child')).toBeUndefined()
      await system.shutdown()
    }))

  it('Akka watch: exactly once, even if watched twice, and carries the failure that stopped it', async () => {
    const { system } = newSystem()
    const boom = new Error('boom')
    const refs: ActorRef<string>[] = []
    const got: Terminated[] = []
    system.spawn(
      behavior<Terminated>((ctx) => {
        const child = ctx.spawn(
          receive<string>(() => {
            throw boom
          }),
        )
        refs.push(child)
        ctx.watch(child)
        ctx.watch(child)
        return (m) => void got.push(m)
      }),
      { supervisor: { decide: () => 'stop' } },
    )
    await settle(system)
    refs[0]?.tell('x')
    // Idle with nothing queued: a second Terminated would already be here.
    await settle(system)
    expect(got).toHaveLength(1)
    expect(got[0]?.error).toBe(boom)
    await system.shutdown()
  })

  it('Akka watchWith: a custom message replaces Terminated', async () => {
    const { system } = newSystem()
    type M = { type: 'gone'; who: string }
    const target = system.spawn(
      receive<string>(() => undefined),
      { name: 't' },
    )
    const p = probe<string>(system)
    system.spawn(
      behavior<M>((ctx) => {
        ctx.watch(target, { type: 'gone', who: 't' })
        return (m) => p.ref.tell(`${m.type} ${m.who}`)
      }),
    )
    await settle(system)
    target.tell(PoisonPill)
    expect(await p.next()).toBe('gone t')
    await system.shutdown()
  })

  it('Akka unwatch: no Terminated after unwatch, even if it was already on its way', async () => {
    const { system } = newSystem()
    const target = system.spawn(receive<string>(() => undefined))
    const got: string[] = []
    const w = system.spawn(
      behavior<Terminated | 'unwatch' | 'ping'>((ctx) => {
        ctx.watch(target)
        return async (m) => {
          if (m === 'unwatch') {
            await system.stop(target) // its Terminated is queued behind this message
            ctx.unwatch(target)
          } else got.push(typeof m === 'string' ? m : m.type)
        }
      }),
    )
    await settle(system)
    w.tell('unwatch')
    w.tell('ping')
    await settle(system)
    expect(got).toEqual(['ping'])
    await system.shutdown()
  })

  it('Akka: a restart does not terminate the actor, so watchers hear nothing', async () => {
    const { system } = newSystem()
    const target = system.spawn(
      receive<string>(() => {
        throw new Error('x')
      }),
    )
    const got: string[] = []
    system.spawn(
      behavior<Terminated>((ctx) => {
        ctx.watch(target)
        return (m) => void got.push(m.type)
      }),
    )
    target.tell('crash')
    await settle(system)
    expect(system.inspect(target).restarts).toBe(1)
    expect(got).toEqual([])
    await system.stop(target)
    await settle(system)
    expect(got).toEqual(['terminated'])
    await system.shutdown()
  })

  it('Terminated is a class with a discriminant, so it fits message unions', () => {
    const system = new ActorSystem({ logLevel: 'off' })
    const ref = system.spawn(receive<string>(() => undefined))
    const t = new Terminated(ref)
    expect(t.type).toBe('terminated')
    expect(t.ref).toBe(ref)
    return system.shutdown()
  })

  it('class actors get the context too (ctx.self, children)', async () => {
    const { system } = newSystem()
    let seen = ''
    class Parent extends Actor<string> {
      override preStart(ctx: ActorContext<string>): void {
        ctx.spawn(
          receive<string>(() => undefined),
          { name: 'kid' },
        )
      }
      receive(_m: string, ctx: ActorContext<string>): void {
        seen = `${ctx.self.path} has ${ctx
          .children()
          .map((c) => c.path)
          .join(',')}`
      }
    }
    system.spawn(Parent, { name: 'p' }).tell('x')
    await settle(system)
    expect(seen).toBe('/user/p has /user/p/kid')
    await system.shutdown()
  })
})
