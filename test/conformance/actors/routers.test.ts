import { describe, expect, it } from 'vitest'
import {
  type ActorRef,
  behavior,
  consistentHash,
  groupRouter,
  PoisonPill,
  poolRouter,
  receive,
} from 'verdant'
import { deferred, newSystem, recorder, settle } from './helpers.js'

type Job = { key: string; replyTo: ActorRef<string> }

/** A routee that answers with its own path. */
const whoami = receive<Job>((m, ctx) => {
  m.replyTo.tell(ctx.self.path)
})

const askWho = (router: ActorRef<Job>, key = 'k'): Promise<string> =>
  router.ask<string>((replyTo) => ({ key, replyTo }), { timeout: 1000 })

describe('conformance: routers', () => {
  it('Akka round-robin pool: N routees as children, used in turn; asks are answered by the routee', async () => {
    const { system } = newSystem()
    const router = system.spawn(poolRouter(3, whoami), { name: 'pool' })
    const paths: string[] = []
    for (let i = 0; i < 6; i++) paths.push(await askWho(router))
    expect(new Set(paths).size).toBe(3)
    expect(paths.slice(0, 3)).toEqual(paths.slice(3))
    for (const p of paths) expect(p).toMatch(/^\/user\/pool\/\$\d+$/)
    await system.shutdown()
  })

  it('Akka random routing: every routee is reached over many messages', async () => {
    const { system } = newSystem()
    const router = system.spawn(poolRouter(3, whoami, { routing: 'random' }))
    const paths = new Set<string>()
    for (let i = 0; i < 60; i++) paths.add(await askWho(router))
    expect(paths.size).toBe(3)
    await system.shutdown()
  })

  it('Akka smallest-mailbox: while one routee is busy, an idle one gets the messages', async () => {
    const { system } = newSystem()
    const gate = deferred()
    const slowStarted = deferred()
    // Awaited message by message: with the slow routee blocked, the system cannot settle before the gate opens.
    const handled = recorder<string>()
    // Only the slow message makes its routee busy; the others leave theirs idle as they return.
    const worker = receive<{ id: string }>((m, ctx) => {
      const done = (): void => handled.push(`${m.id}@${ctx.self.path}`)
      if (m.id !== 'slow') return done()
      slowStarted.resolve()
      return gate.promise.then(done)
    })
    const router = system.spawn(poolRouter(2, worker, { routing: 'smallestMailbox' }))
    router.tell({ id: 'slow' })
    await slowStarted.promise
    for (let i = 0; i < 4; i++) {
      router.tell({ id: String(i) })
      expect(await handled.next()).toMatch(new RegExp(`^${String(i)}@`))
    }
    const busyPath = (handled.got[0] as string).split('@')[1]
    expect(handled.got.every((h) => h.split('@')[1] === busyPath)).toBe(true)
    gate.resolve()
    await settle(system)
    expect(handled.got).toHaveLength(5)
    expect(handled.got[4]?.startsWith('slow@')).toBe(true)
    await system.shutdown()
  })

  it('Akka consistent-hashing: the same key always reaches the same routee', async () => {
    const { system } = newSystem()
    const router = system.spawn(poolRouter(4, whoami, { routing: consistentHash((m: Job) => m.key) }))
    const byKey = new Map<string, Set<string>>()
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 20; k++) {
        const key = `user-${String(k)}`
        const set = byKey.get(key) ?? new Set<string>()
        set.add(await askWho(router, key))
        byKey.set(key, set)
      }
    }
    for (const set of byKey.values()) expect(set.size).toBe(1)
    const used = new Set([...byKey.values()].map((s) => [...s][0]))
    expect(used.size).toBeGreaterThan(1)
    await system.shutdown()
  })

  it('Akka broadcast: every routee gets every message', async () => {
    const { system } = newSystem()
    const seen: string[] = []
    const router = system.spawn(
      poolRouter(
        3,
        receive<string>((m, ctx) => void seen.push(`${m}@${ctx.self.path}`)),
        { routing: 'broadcast' },
      ),
    )
    router.tell('hello')
    await settle(system)
    expect(seen).toHaveLength(3)
    expect(new Set(seen.map((s) => s.split('@')[1])).size).toBe(3)
    await system.shutdown()
  })

  it('Akka pool router supervision: a failing routee is restarted in place, the others keep going', async () => {
    const { system } = newSystem()
    let starts = 0
    const worker = behavior<Job | 'crash'>(() => {
      starts++
      return (m, ctx) => {
        if (m === 'crash') throw new Error('crash')
        m.replyTo.tell(ctx.self.path)
      }
    })
    const router = system.spawn(poolRouter(2, worker, { routing: 'broadcast' }))
    await settle(system)
    expect(starts).toBe(2)
    router.tell('crash')
    await settle(system)
    expect(starts).toBe(4)
    await system.shutdown()
  })

  it('Akka pool router: a routee that stops for good is replaced by a new one', async () => {
    const { system } = newSystem()
    let starts = 0
    const worker = behavior<Job | 'quit'>((ctx) => {
      starts++
      return (m) => {
        if (m === 'quit') ctx.stop()
        else m.replyTo.tell(ctx.self.path)
      }
    })
    const router = system.spawn(poolRouter(2, worker), { name: 'r' })
    const before = new Set([await askWho(router), await askWho(router)])
    router.tell('quit')
    await settle(system)
    expect(starts).toBe(3)
    const after = new Set<string>()
    for (let i = 0; i < 4; i++) after.add(await askWho(router))
    expect(after.size).toBe(2)
    expect([...after].filter((p) => !before.has(p))).toHaveLength(1)
    await system.shutdown()
  })

  it('Akka group router: routes over existing refs; a stopped routee leaves the group', async () => {
    const { system } = newSystem()
    const a = system.spawn(whoami, { name: 'a' })
    const b = system.spawn(whoami, { name: 'b' })
    const router = system.spawn(groupRouter([a, b]))
    const first = new Set([await askWho(router), await askWho(router)])
    expect(first).toEqual(new Set(['/user/a', '/user/b']))
    a.tell(PoisonPill)
    // The router hears of the stop by a Terminated, which settling waits for too.
    await settle(system)
    expect(system.inspect(a).status).toBe('stopped')
    expect([await askWho(router), await askWho(router)]).toEqual(['/user/b', '/user/b'])
    await system.shutdown()
  })

  it('Akka PoisonPill to a router stops the router and its routees', async () => {
    const { system } = newSystem()
    const router = system.spawn(poolRouter(3, whoami), { name: 'p' })
    await askWho(router)
    router.tell(PoisonPill)
    await settle(system)
    expect(system.inspect(router).status).toBe('stopped')
    expect(system.lookup('/user/p')).toBeUndefined()
    expect(await system.shutdown()).toMatchObject({ stopped: 4 })
  })

  it('router options are checked', () => {
    expect(() => poolRouter(0, whoami)).toThrow(RangeError)
    expect(() => poolRouter(2, whoami, { routing: 'fastest' as never })).toThrow(/routing/)
    expect(() => consistentHash(null as never)).toThrow(TypeError)
  })
})
