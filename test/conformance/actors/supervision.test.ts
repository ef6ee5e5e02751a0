import { describe, expect, it } from 'vitest'
import {
  Actor,
  type ActorContext,
  type ActorRef,
  behavior,
  receive,
  restartWithBackoff,
  RestartIntensityError,
  sleep,
  type SupervisorOptions,
} from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { newSystem, probe, settle } from './helpers.js'

type Msg =
  { type: 'add'; n: number } | { type: 'fail'; error?: Error } | { type: 'sum'; replyTo: ActorRef<number> }

/** A summing actor whose every incarnation reports its start to `events`. */
function summer(events: string[], label: string) {
  return behavior<Msg>(() => {
    events.push(`start ${label}`)
    let sum = 0
    return {
      receive: (msg) => {
        if (msg.type === 'add') sum += msg.n
        else if (msg.type === 'sum') msg.replyTo.tell(sum)
        else throw msg.error ?? new Error(`${label} failed`)
      },
      preRestart: () => {
        events.push(`preRestart ${label}`)
      },
      postStop: () => {
        events.push(`postStop ${label}`)
      },
    }
  })
}

/** An actor that records the time of each start and fails on every message. */
function crashing(starts: number[], now: () => number) {
  return behavior<string>(() => {
    starts.push(now())
    return () => {
      throw new Error('crash')
    }
  })
}

const sum = (ref: ActorRef<Msg>): Promise<number> =>
  ref.ask<number>((replyTo) => ({ type: 'sum', replyTo }), { timeout: 1000 })

/** A parent that starts the named children in order and hands their refs out. */
function parentOf(
  names: readonly string[],
  events: string[],
  refs: Map<string, ActorRef<Msg>>,
  childRestart?: 'permanent' | 'transient' | 'temporary',
) {
  return behavior<never>((ctx) => {
    events.push('start parent')
    for (const name of names) {
      refs.set(
        name,
        ctx.spawn(
          summer(events, name),
          childRestart === undefined ? { name } : { name, restart: childRestart },
        ),
      )
    }
    return () => undefined
  })
}

describe('conformance: supervision', () => {
  it('OTP restart: the actor is rebuilt from its factory with fresh state, keeping its ref', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const a = system.spawn(summer(events, 'a'), { name: 'a' })
    a.tell({ type: 'add', n: 5 })
    expect(await sum(a)).toBe(5)
    a.tell({ type: 'fail' })
    a.tell({ type: 'add', n: 1 })
    expect(await sum(a)).toBe(1)
    expect(system.lookup('/user/a')).toBe(a)
    expect(events).toEqual(['start a', 'preRestart a', 'start a'])
    expect(system.inspect(a).restarts).toBe(1)
    await system.shutdown()
  })

  it('Akka restart: the mailbox survives; the failing message is dropped and reported, the rest are kept', async () => {
    const { system, dead, logs } = newSystem()
    const events: string[] = []
    const a = system.spawn(summer(events, 'a'))
    const failing = { type: 'fail' as const, error: new Error('poison') }
    a.tell(failing)
    for (let i = 1; i <= 10; i++) a.tell({ type: 'add', n: i })
    expect(await sum(a)).toBe(55)
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ message: failing, reason: 'failed', error: failing.error })
    expect(logs).toContainEqual({ level: 'warn', path: a.path, message: 'failed', error: failing.error })
    await system.shutdown()
  })

  it('Akka resume: the actor keeps its state and goes on with the next message', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const parentRefs = new Map<string, ActorRef<Msg>>()
    system.spawn(parentOf(['c'], events, parentRefs), { supervisor: { decide: () => 'resume' } })
    await settle(system)
    const c = parentRefs.get('c') as ActorRef<Msg>
    c.tell({ type: 'add', n: 7 })
    c.tell({ type: 'fail' })
    c.tell({ type: 'add', n: 1 })
    expect(await sum(c)).toBe(8)
    expect(events).toEqual(['start parent', 'start c'])
    await system.shutdown()
  })

  it('Akka stop directive: the failed child is stopped, postStop runs, later mail is dead', async () => {
    const { system, dead } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    system.spawn(parentOf(['c'], events, refs), { supervisor: { decide: () => 'stop' } })
    await settle(system)
    const c = refs.get('c') as ActorRef<Msg>
    c.tell({ type: 'fail' })
    await settle(system)
    expect(system.inspect(c).status).toBe('stopped')
    c.tell({ type: 'add', n: 1 })
    expect(events).toEqual(['start parent', 'start c', 'postStop c'])
    expect(dead.map((d) => d.reason)).toEqual(['failed', 'stopped'])
    await system.shutdown()
  })

  it('OTP/Akka decide: the decision is taken per error', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    const supervisor: SupervisorOptions = {
      decide: (e) => (e instanceof RangeError ? 'resume' : e instanceof TypeError ? 'restart' : 'stop'),
    }
    system.spawn(parentOf(['c'], events, refs), { supervisor })
    await settle(system)
    const c = refs.get('c') as ActorRef<Msg>
    c.tell({ type: 'add', n: 3 })
    c.tell({ type: 'fail', error: new RangeError('r') })
    expect(await sum(c)).toBe(3)
    c.tell({ type: 'fail', error: new TypeError('t') })
    expect(await sum(c)).toBe(0)
    c.tell({ type: 'fail', error: new Error('e') })
    await settle(system)
    expect(system.inspect(c).status).toBe('stopped')
    await system.shutdown()
  })

  it('Akka escalate: the supervisor fails with the child error and its own supervisor restarts it', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    const parent = system.spawn(parentOf(['c'], events, refs), {
      name: 'parent',
      supervisor: { decide: () => 'escalate' },
    })
    await settle(system)
    const first = refs.get('c')
    first?.tell({ type: 'fail' })
    await settle(system)
    // The restarted parent started a fresh child under the same name.
    expect(system.lookup('/user/parent/c')).toBeDefined()
    expect(events).toEqual(['start parent', 'start c', 'postStop c', 'start parent', 'start c'])
    expect(system.inspect(parent).restarts).toBe(1)
    await system.shutdown()
  })

  it('OTP intensity: more than maxRestarts within withinMs makes the supervisor stop its children and escalate', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    const failures: unknown[] = []
    const mid = system.spawn(parentOf(['c'], events, refs), {
      name: 'mid',
      supervisor: { maxRestarts: 2, withinMs: 60_000 },
      supervision: {
        decide: (e) => {
          failures.push(e)
          return 'stop'
        },
      },
    })
    await settle(system)
    const c = refs.get('c') as ActorRef<Msg>
    for (let i = 0; i < 3; i++) {
      c.tell({ type: 'fail' })
      await settle(system)
    }
    // Two restarts are allowed; the third failure is one too many.
    expect(events.filter((e) => e === 'start c')).toHaveLength(3)
    expect(system.inspect(mid).status).toBe('stopped')
    expect(failures).toHaveLength(1)
    expect(failures[0]).toBeInstanceOf(RestartIntensityError)
    expect((failures[0] as Error).message).toMatch(
      /\/user\/mid gave up: more than 2 restarts within 60000 ms/,
    )
    expect((failures[0] as Error).cause).toBeInstanceOf(Error)
    expect(events.filter((e) => e === 'postStop c')).toHaveLength(1)
    await system.shutdown()
  })

  it('OTP one_for_all: one failure restarts every sibling; torn down in reverse order, started in order', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    system.spawn(parentOf(['a', 'b', 'c'], events, refs), { supervisor: { strategy: 'oneForAll' } })
    await settle(system)
    expect(events).toHaveLength(4)
    const b = refs.get('b') as ActorRef<Msg>
    const a = refs.get('a') as ActorRef<Msg>
    a.tell({ type: 'add', n: 9 })
    expect(await sum(a)).toBe(9)
    events.length = 0
    b.tell({ type: 'fail' })
    await settle(system)
    expect(events).toEqual(['preRestart c', 'preRestart b', 'preRestart a', 'start a', 'start b', 'start c'])
    expect(await sum(a)).toBe(0)
    await system.shutdown()
  })

  it('OTP rest_for_one: the failed child and those started after it restart, earlier ones keep running', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    system.spawn(parentOf(['a', 'b', 'c'], events, refs), { supervisor: { strategy: 'restForOne' } })
    await settle(system)
    expect(events).toHaveLength(4)
    const a = refs.get('a') as ActorRef<Msg>
    a.tell({ type: 'add', n: 9 })
    expect(await sum(a)).toBe(9)
    events.length = 0
    refs.get('b')?.tell({ type: 'fail' })
    await settle(system)
    expect(events).toEqual(['preRestart c', 'preRestart b', 'start b', 'start c'])
    expect(await sum(a)).toBe(9)
    await system.shutdown()
  })

  it('OTP one_for_all: a temporary sibling is stopped, not restarted', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    system.spawn(
      behavior<never>((ctx) => {
        refs.set('a', ctx.spawn(summer(events, 'a'), { name: 'a' }))
        refs.set('t', ctx.spawn(summer(events, 't'), { name: 't', restart: 'temporary' }))
        return () => undefined
      }),
      { supervisor: { strategy: 'oneForAll' } },
    )
    await settle(system)
    expect(events).toHaveLength(2)
    refs.get('a')?.tell({ type: 'fail' })
    await settle(system)
    expect(events).toContain('postStop t')
    expect(events.filter((e) => e === 'start a')).toHaveLength(2)
    expect(events.filter((e) => e === 'start t')).toHaveLength(1)
    await system.shutdown()
  })

  it('OTP restart types: temporary is never restarted, transient only after failure, permanent also after a normal stop', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const made = new Map<string, ActorRef<string>>()
    const child = (label: string) =>
      behavior<string>((ctx) => {
        events.push(`start ${label}`)
        return (m) => {
          if (m === 'fail') throw new Error(label)
          if (m === 'quit') ctx.stop()
        }
      })
    system.spawn(
      behavior<never>((ctx) => {
        made.set('perm', ctx.spawn(child('perm'), { restart: 'permanent' }))
        made.set('trans', ctx.spawn(child('trans'), { restart: 'transient' }))
        made.set('temp', ctx.spawn(child('temp'), { restart: 'temporary' }))
        return () => undefined
      }),
    )
    await settle(system)
    expect(events).toHaveLength(3)
    for (const ref of made.values()) ref.tell('fail')
    await settle(system)
    expect(events).toHaveLength(5)
    expect(system.inspect(made.get('temp') as ActorRef<string>).status).toBe('stopped')
    expect(events.slice(3).sort()).toEqual(['start perm', 'start trans'])
    events.length = 0
    made.get('perm')?.tell('quit')
    made.get('trans')?.tell('quit')
    await settle(system)
    expect(system.inspect(made.get('trans') as ActorRef<string>).status).toBe('stopped')
    expect(events).toEqual(['start perm'])
    expect(system.inspect(made.get('perm') as ActorRef<string>).status).toBe('running')
    await system.shutdown()
  })

  it('Akka restartWithBackoff: restarts wait min, 2*min, 4*min... capped at max, on the virtual clock', () =>
    withVirtualTime(async (clock) => {
      const { system } = newSystem()
      const starts: number[] = []
      const a = system.spawn(
        crashing(starts, () => clock.now()),
        {
          supervision: {
            maxRestarts: 100,
            decide: () =>
              restartWithBackoff({ minMs: 100, maxMs: 350, randomFactor: 0, resetAfterMs: 10_000 }),
          },
        },
      )
      for (let i = 0; i < 5; i++) {
        await settle(system)
        expect(starts).toHaveLength(i + 1)
        a.tell('x')
      }
      await settle(system)
      expect(starts).toHaveLength(6)
      const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number))
      expect(gaps).toEqual([100, 200, 350, 350, 350])
      await system.shutdown()
    }))

  it('Akka backoff: messages sent during the backoff are kept and handled after the restart', () =>
    withVirtualTime(async (clock) => {
      const { system } = newSystem()
      const p = probe<string>(system)
      const a = system.spawn(
        receive<string>((m) => {
          if (m === 'crash') throw new Error('crash')
          p.ref.tell(`${m}@${String(clock.now())}`)
        }),
        { supervision: { decide: () => restartWithBackoff({ minMs: 1000, maxMs: 1000, randomFactor: 0 }) } },
      )
      a.tell('crash')
      a.tell('one')
      await sleep(10)
      a.tell('two')
      await settle(system)
      expect(p.got).toEqual(['one@1000', 'two@1000'])
      await system.shutdown()
    }))

  it('Akka backoff: the random factor adds at most that fraction of the delay', () =>
    withVirtualTime(async (clock) => {
      const { system } = newSystem()
      const starts: number[] = []
      const a = system.spawn(
        crashing(starts, () => clock.now()),
        {
          supervision: { decide: () => restartWithBackoff({ minMs: 1000, maxMs: 1000, randomFactor: 0.5 }) },
        },
      )
      await settle(system)
      expect(starts).toHaveLength(1)
      a.tell('x')
      await settle(system)
      expect(starts).toHaveLength(2)
      const gap = (starts[1] as number) - (starts[0] as number)
      expect(gap).toBeGreaterThanOrEqual(1000)
      expect(gap).toBeLessThanOrEqual(1500)
      await system.shutdown()
    }))

  it('OTP: the strategy may be declared on the supervisor class', async () => {
    const { system } = newSystem()
    const events: string[] = []
    const refs = new Map<string, ActorRef<Msg>>()
    class Parent extends Actor<never> {
      static readonly supervisor: SupervisorOptions = { decide: () => 'resume' }
      override preStart(ctx: ActorContext<never>): void {
        refs.set('c', ctx.spawn(summer(events, 'c')))
      }
      receive(): void {}
    }
    system.spawn(Parent)
    await settle(system)
    const c = refs.get('c') as ActorRef<Msg>
    c.tell({ type: 'add', n: 2 })
    c.tell({ type: 'fail' })
    expect(await sum(c)).toBe(2)
    await system.shutdown()
  })

  it('Akka preRestart/postRestart: hooks run on the old and the new instance with the error and message', async () => {
    const { system } = newSystem()
    const seen: string[] = []
    let instances = 0
    class Worker extends Actor<string> {
      readonly id = ++instances
      override preStart(): void {
        seen.push(`preStart ${String(this.id)}`)
      }
      override preRestart(error: unknown, msg: string | undefined): void {
        seen.push(`preRestart ${String(this.id)} ${(error as Error).message} ${String(msg)}`)
      }
      override postRestart(error: unknown): void {
        seen.push(`postRestart ${String(this.id)} ${(error as Error).message}`)
      }
      receive(msg: string): void {
        throw new Error(`bad ${msg}`)
      }
    }
    const w = system.spawn(Worker)
    w.tell('m1')
    await settle(system)
    expect(seen).toEqual(['preStart 1', 'preRestart 1 bad m1 m1', 'postRestart 2 bad m1'])
    await system.shutdown()
  })

  it('Akka ActorInitializationException: a failing setup is a failure its supervisor decides on', async () => {
    const { system } = newSystem()
    let attempts = 0
    const a = system.spawn(
      behavior<string>(() => {
        if (++attempts < 3) throw new Error('not yet')
        return () => undefined
      }),
    )
    await settle(system)
    expect(attempts).toBe(3)
    expect(system.inspect(a).status).toBe('running')
    expect(system.inspect(a).restarts).toBe(2)
    await system.shutdown()
  })
})
