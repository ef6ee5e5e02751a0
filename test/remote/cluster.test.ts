// Two (or three) nodes in this process, each its own actor system and NATS connection, on one
// nats-server: joining, tell, ask and its failures, refs on the wire, names, watch, bad frames.
import { expect, it } from 'vitest'
import {
  ActorNotFoundError,
  type ActorRef,
  type AnyActorRef,
  AskTimeoutError,
  behavior,
  NodeUnreachableError,
  PayloadTooLargeError,
  receive,
  Terminated,
} from 'verdant'
import {
  ClusterJoinError,
  type Codec,
  jsonCodec,
  type MemberEvent,
  joinCluster,
  RemoteActorRef,
} from 'verdant/remote'
import { connect } from '@nats-io/transport-node'
import { describeNats, seen, startNode, useNatsServer } from './fixture.js'

type Echo =
  | { type: 'echo'; text: string; replyTo: ActorRef<string> }
  | { type: 'slow'; ms: number; replyTo: ActorRef<string> }

const echo = receive<Echo>((msg) => {
  if (msg.type === 'echo') msg.replyTo.tell(msg.text)
  else setTimeout(() => msg.replyTo.tell('late'), msg.ms)
})

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

describeNats('a cluster of nodes in one process', () => {
  const server = useNatsServer()

  it('nodes see each other come up and leave, as members and as events', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const events: MemberEvent[] = []
    a.node.subscribe((e) => events.push(e))
    const b = await startNode(server().url, { nodeId: 'b' })
    await seen(a.node, 'b')
    await seen(b.node, 'a')
    expect(a.node.members().map((m) => [m.id, m.status])).toEqual([
      ['a', 'up'],
      ['b', 'up'],
    ])
    const down = deferred<void>()
    a.node.subscribe((e) => {
      if (e.type === 'down') down.resolve()
    })
    await b.node.leave()
    await down.promise
    expect(events).toEqual([
      { type: 'up', node: 'b' },
      { type: 'leaving', node: 'b' },
      { type: 'down', node: 'b', reason: 'left' },
    ])
    expect(a.node.members().find((m) => m.id === 'b')?.status).toBe('down')
  })

  it('tells arrive in the order one sender sent them, and ask answers across nodes', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    const got: number[] = []
    const all = deferred<void>()
    b.system.spawn(
      receive<number>((n) => {
        got.push(n)
        if (got.length === 1000) all.resolve()
      }),
      { name: 'sink' },
    )
    b.system.spawn(echo, { name: 'echo' })
    const sink = a.node.refAt<number>('b', '/user/sink')
    expect(sink).toBeInstanceOf(RemoteActorRef)
    for (let i = 0; i < 1000; i++) sink.tell(i)
    await all.promise
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    const remoteEcho = a.node.refAt<Echo>('b', '/user/echo')
    const answer: string = await remoteEcho.ask((replyTo) => ({ type: 'echo', text: 'hi', replyTo }))
    expect(answer).toBe('hi')
  })

  it('an ask fails at once, typed and named, for a missing actor and for a node nobody serves', async () => {
    const a = await startNode(server().url, { nodeId: 'a', askTimeoutMs: 5000 })
    await startNode(server().url, { nodeId: 'b' })
    const missing = a.node.refAt<Echo>('b', '/user/nobody')
    const t0 = performance.now()
    const err1: unknown = await missing
      .ask((replyTo) => ({ type: 'echo', text: 'x', replyTo }))
      .catch((e: unknown) => e)
    expect(err1).toBeInstanceOf(ActorNotFoundError)
    expect((err1 as ActorNotFoundError).messageType).toBe('echo')
    expect((err1 as Error).message).toContain('b:/user/nobody')
    const ghost = a.node.refAt<Echo>('ghost', '/user/echo')
    const err2: unknown = await ghost
      .ask((replyTo) => ({ type: 'echo', text: 'x', replyTo }))
      .catch((e: unknown) => e)
    expect(err2).toBeInstanceOf(NodeUnreachableError)
    expect((err2 as NodeUnreachableError).reason).toBe('no-responders')
    expect((err2 as NodeUnreachableError).node).toBe('ghost')
    // Both well inside the 5 s default timeout.
    expect(performance.now() - t0).toBeLessThan(2000)
  })

  it('an ask times out with AskTimeoutError, and its late answer is a dead letter on the asking node', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    b.system.spawn(echo, { name: 'echo' })
    const ref = a.node.refAt<Echo>('b', '/user/echo')
    const late = deferred<void>()
    a.system.deadLetters.subscribe((d) => {
      if (d.reason === 'ask-settled') late.resolve()
    })
    const err: unknown = await ref
      .ask((replyTo) => ({ type: 'slow', ms: 150, replyTo }), { timeout: 50 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AskTimeoutError)
    expect((err as AskTimeoutError).target).toBe('b:/user/echo')
    expect((err as AskTimeoutError).messageType).toBe('slow')
    await late.promise
    expect(a.dead.find((d) => d.reason === 'ask-settled')?.message).toBe('late')
  })

  it('refs travel inside messages, as senders and as reply-tos, and work on the other side', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    const c = await startNode(server().url, { nodeId: 'c' })
    type Hello = { type: 'hello'; from: AnyActorRef }
    // On b: answers every hello to the ref in the message and to the sender.
    b.system.spawn(
      receive<Hello>((msg, ctx) => {
        msg.from.tell('via field')
        ctx.sender?.tell('via sender')
      }),
      { name: 'greeter' },
    )
    const heard: string[] = []
    const both = deferred<void>()
    const listener = a.system.spawn(
      behavior<string | { type: 'go' }>((ctx) => (msg) => {
        if (typeof msg === 'string') {
          heard.push(msg)
          if (heard.length === 2) both.resolve()
        } else a.node.refAt<Hello>('b', '/user/greeter').tell({ type: 'hello', from: ctx.self })
      }),
      { name: 'listener' },
    )
    listener.tell({ type: 'go' })
    await both.promise
    expect(heard.sort()).toEqual(['via field', 'via sender'])

    // A reply-to forwarded to a third node answers the original asker.
    type Fwd = { type: 'fwd'; replyTo: ActorRef<string> }
    c.system.spawn(
      receive<Fwd>((msg) => msg.replyTo.tell('from c')),
      { name: 'answerer' },
    )
    b.system.spawn(
      receive<Fwd>((msg) => b.node.refAt<Fwd>('c', '/user/answerer').tell(msg)),
      { name: 'forwarder' },
    )
    const fwd = a.node.refAt<Fwd>('b', '/user/forwarder')
    expect(await fwd.ask((replyTo) => ({ type: 'fwd', replyTo }))).toBe('from c')
  })

  it('a message for a stopped incarnation goes to dead letters, never to its successor', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    const got: string[] = []
    const first = b.system.spawn(
      receive<string>((m) => {
        got.push(`first:${m}`)
      }),
      { name: 'svc' },
    )
    await b.node.register('svc', first)
    const old = await a.node.lookup<string>('svc')
    expect(old).toBeInstanceOf(RemoteActorRef)
    await b.system.stop(first)
    const second = b.system.spawn(
      receive<string>((m) => {
        got.push(`second:${m}`)
      }),
      { name: 'svc' },
    )
    const gone = deferred<void>()
    b.system.deadLetters.subscribe((d) => {
      if (d.reason === 'not-found') gone.resolve()
    })
    old?.tell('to the old one')
    await gone.promise
    expect(b.dead.find((d) => d.reason === 'not-found')?.message).toBe('to the old one')
    // The path itself still reaches whoever lives there.
    a.node.refAt<string>('b', '/user/svc').tell('by path')
    await expect.poll(() => got.length).toBe(1)
    expect(got).toEqual(['second:by path'])
    await b.system.stop(second)
  })

  it('lookup finds a name on any node and gives undefined at once for an unknown one', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    await b.node.register('echo', b.system.spawn(echo))
    const ref = await a.node.lookup<Echo>('echo')
    expect(ref?.path).toMatch(/^\/user\/\$\d+$/)
    expect(await ref?.ask((replyTo) => ({ type: 'echo', text: 'found', replyTo }))).toBe('found')
    expect(await a.node.lookup<Echo>('echo')).toBe(ref)
    const t0 = performance.now()
    expect(await a.node.lookup('no-such-name')).toBeUndefined()
    expect(performance.now() - t0).toBeLessThan(1000)
    // A name registered here is found here without the network.
    const local = a.system.spawn(echo)
    await a.node.register('mine', local)
    expect(await a.node.lookup('mine')).toBe(local)
  })

  it('watching a remote actor delivers Terminated: stopped, not-found, node-left', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    await seen(a.node, 'b')
    b.system.spawn(echo, { name: 'w1' })
    const ends: Terminated[] = []
    const three = deferred<void>()
    const watcher = a.system.spawn(
      behavior<Terminated | { type: 'watch'; ref: AnyActorRef }>((ctx) => (msg) => {
        if (msg instanceof Terminated) {
          ends.push(msg)
          if (ends.length === 3) three.resolve()
        } else ctx.watch(msg.ref)
      }),
    )
    const w1 = a.node.refAt('b', '/user/w1')
    watcher.tell({ type: 'watch', ref: w1 })
    watcher.tell({ type: 'watch', ref: a.node.refAt('b', '/user/none') })
    // Let the watch of w1 reach b before w1 stops.
    await expect.poll(() => ends.length).toBe(1)
    expect(ends[0]?.reason).toBe('not-found')
    await b.system.stop(b.system.lookup('/user/w1') as AnyActorRef)
    await expect.poll(() => ends.length).toBe(2)
    expect(ends[1]?.reason).toBe('stopped')
    expect(ends[1]?.ref).toBe(w1)
    b.system.spawn(echo, { name: 'w2' })
    watcher.tell({ type: 'watch', ref: a.node.refAt('b', '/user/w2') })
    await new Promise((r) => setTimeout(r, 100))
    await b.node.leave()
    await three.promise
    expect(ends[2]?.reason).toBe('node-left')
  })

  it('a bad frame becomes a dead letter with its reason, and the node keeps working', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    b.system.spawn(echo, { name: 'echo' })
    const nc = await connect({ servers: server().url })
    try {
      const subject = 'verdant.test-cluster.node.b'
      nc.publish(subject, 'garbage without a head')
      nc.publish(subject, '{"v":99,"k":"t","to":"/user/echo"}\n{}')
      nc.publish(subject, '{"v":1,"k":"t","to":"/user/echo","c":"json1"}\n{not json')
      nc.publish(subject, '{"v":1,"k":"t","to":"/user/echo","c":"json1"}\n{"~":"NoSuchTag","v":1}')
      await nc.flush()
      await expect.poll(() => b.dead.filter((d) => d.reason === 'bad-frame').length).toBe(4)
    } finally {
      await nc.close()
    }
    const reasons = b.dead.map((d) => (d.error as Error).message)
    expect(reasons[0]).toContain('no frame head')
    expect(reasons[1]).toContain('unknown envelope version 99')
    expect(b.logs.filter((l) => l.message.startsWith('bad frame')).length).toBe(4)
    const ref = a.node.refAt<Echo>('b', '/user/echo')
    expect(await ref.ask((replyTo) => ({ type: 'echo', text: 'still here', replyTo }))).toBe('still here')
  })

  it('two systems with different names on one server never see each other', async () => {
    const a = await startNode(server().url, { nodeId: 'a', name: 'blue' })
    const b = await startNode(server().url, { nodeId: 'b', name: 'green' })
    await b.node.register('x', b.system.spawn(echo))
    expect(await a.node.lookup('x')).toBeUndefined()
    const err: unknown = await a.node
      .refAt<Echo>('b', '/user/x')
      .ask((replyTo) => ({ type: 'echo', text: '', replyTo }))
      .catch((e: unknown) => e)
    expect((err as NodeUnreachableError).reason).toBe('no-responders')
    await new Promise((r) => setTimeout(r, 250))
    expect(a.node.members().map((m) => m.id)).toEqual(['a'])
  })

  it('a message over the server max_payload is refused at the call, naming size and limit', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    b.system.spawn(echo, { name: 'echo' })
    const ref = a.node.refAt<Echo>('b', '/user/echo')
    const big = 'x'.repeat(1024 * 1024 + 10)
    expect(() => ref.tell({ type: 'echo', text: big, replyTo: ref as unknown as ActorRef<string> })).toThrow(
      PayloadTooLargeError,
    )
    const err: unknown = await ref
      .ask((replyTo) => ({ type: 'echo', text: big, replyTo }))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PayloadTooLargeError)
    expect((err as PayloadTooLargeError).limit).toBe(1024 * 1024)
    expect((err as PayloadTooLargeError).size).toBeGreaterThan(1024 * 1024)
    expect(b.dead).toEqual([])
  })

  it('after a node left, an ask to it fails at once with node-down or no-responders, and a tell is a dead letter', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    await seen(a.node, 'b')
    b.system.spawn(echo, { name: 'echo' })
    const ref = a.node.refAt<Echo>('b', '/user/echo')
    const down = deferred<void>()
    a.node.subscribe((e) => {
      if (e.type === 'down') down.resolve()
    })
    await b.node.leave()
    await down.promise
    const err: unknown = await ref
      .ask((replyTo) => ({ type: 'echo', text: '', replyTo }))
      .catch((e: unknown) => e)
    expect((err as NodeUnreachableError).reason).toBe('down')
    ref.tell({ type: 'echo', text: 'lost', replyTo: ref as unknown as ActorRef<string> })
    expect(a.dead.at(-1)?.reason).toBe('unreachable')
    expect(a.dead.at(-1)?.recipient).toBe('b:/user/echo')
  })

  it('joining refuses bad options at the call, and an unreachable server with ClusterJoinError', async () => {
    const { ActorSystem } = await import('verdant')
    const system = new ActorSystem({ name: 'opts' })
    try {
      expect(() => joinCluster(system, { nodeId: 'has.dot' })).toThrow(/nodeId/)
      expect(() => joinCluster(system, { heartbeatMs: 1000, failureWindowMs: 1500 })).toThrow(RangeError)
      expect(() => joinCluster(system, { askTimeoutMs: -1 })).toThrow(/askTimeoutMs/)
      expect(() => joinCluster({} as never)).toThrow(TypeError)
      const err: unknown = await joinCluster(system, {
        servers: 'nats://127.0.0.1:1',
        nats: { reconnect: false, timeout: 500 },
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ClusterJoinError)
      expect((err as Error).message).toContain('nats://127.0.0.1:1')
    } finally {
      await system.shutdown()
    }
  })

  it('a service spreads tells over its instances on every node, broadcasts to all, and answers asks', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, { nodeId: 'b' })
    const c = await startNode(server().url, { nodeId: 'c' })
    const got: string[] = []
    type Job = { type: 'job'; n: number } | { type: 'all' } | Echo
    const instance = (node: string) =>
      receive<Job>((m) => {
        if (m.type === 'echo') m.replyTo.tell(node)
        else got.push(m.type === 'job' ? `${node}:${String(m.n)}` : `${node}:all`)
      })
    await b.node.serve('jobs', b.system.spawn(instance('b')))
    await c.node.serve('jobs', c.system.spawn(instance('c')))
    const jobs = a.node.service<Job>('jobs')
    for (let n = 0; n < 200; n++) jobs.tell({ type: 'job', n })
    await expect.poll(() => got.length).toBe(200)
    // Each job once, spread over both instances.
    expect(new Set(got.map((g) => g.split(':')[1])).size).toBe(200)
    expect(got.some((g) => g.startsWith('b:'))).toBe(true)
    expect(got.some((g) => g.startsWith('c:'))).toBe(true)
    got.length = 0
    jobs.broadcast({ type: 'all' })
    await expect.poll(() => got.sort()).toEqual(['b:all', 'c:all'])
    expect(['b', 'c']).toContain(await jobs.ask((replyTo) => ({ type: 'echo', text: '', replyTo })))
    // With no instance left anywhere (once the server knows it), an ask fails at once.
    await b.system.shutdown()
    await c.system.shutdown()
    const askOnce = (): Promise<unknown> =>
      jobs.ask((replyTo) => ({ type: 'echo', text: '', replyTo }), { timeout: 300 }).catch((e: unknown) => e)
    await expect.poll(async () => ((await askOnce()) as NodeUnreachableError).reason).toBe('no-responders')
  })

  it('a message failing its type validation is a dead letter (invalid), and an ask for it fails', async () => {
    const a = await startNode(server().url, { nodeId: 'a' })
    const b = await startNode(server().url, {
      nodeId: 'b',
      validate: {
        echo: (m) =>
          typeof (m as { text?: unknown }).text === 'string' && (m as { text: string }).text.length < 10,
      },
    })
    const seenByActor: string[] = []
    b.system.spawn(
      receive<Echo>((m) => {
        if (m.type === 'echo') {
          seenByActor.push(m.text)
          m.replyTo.tell(m.text)
        }
      }),
      { name: 'echo' },
    )
    const ref = a.node.refAt<Echo>('b', '/user/echo')
    expect(await ref.ask((replyTo) => ({ type: 'echo', text: 'short', replyTo }))).toBe('short')
    const err: unknown = await ref
      .ask((replyTo) => ({ type: 'echo', text: 'far too long for it', replyTo }))
      .catch((e: unknown) => e)
    expect((err as Error).message).toContain('failed its validation')
    expect(b.dead.map((d) => d.reason)).toEqual(['invalid'])
    expect(seenByActor).toEqual(['short'])
  })

  it('a codec that writes only bytes (no text methods) carries tells and asks the same way', async () => {
    const json = jsonCodec()
    const bytesOnly: Codec = {
      id: 'bytes1',
      encode: (v, r) => json.encode(v, r),
      decode: (b, r) => json.decode(b, r),
    }
    const a = await startNode(server().url, { nodeId: 'a', codec: bytesOnly })
    const b = await startNode(server().url, { nodeId: 'b', codec: bytesOnly })
    b.system.spawn(echo, { name: 'echo' })
    const ref = a.node.refAt<Echo>('b', '/user/echo')
    expect(await ref.ask((replyTo) => ({ type: 'echo', text: 'as bytes', replyTo }))).toBe('as bytes')
    // A node with another codec cannot read these frames: they are bad frames, not crashes.
    const c = await startNode(server().url, { nodeId: 'c' })
    c.system.spawn(echo, { name: 'echo' })
    a.node
      .refAt<Echo>('c', '/user/echo')
      .tell({ type: 'echo', text: 'x', replyTo: ref as unknown as ActorRef<string> })
    await expect.poll(() => c.dead.map((d) => d.reason)).toEqual(['bad-frame'])
  })
})
