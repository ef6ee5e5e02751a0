// Faults a cluster must survive, with nodes as child processes: a node killed with SIGKILL, a node
// whose event loop is blocked, nats-server restarted under load, and failover in a three-server
// NATS cluster. Every ask made here ends, answered or rejected with a typed error, and is counted.
import { expect, it } from 'vitest'
import { type ActorRef, AskTimeoutError, behavior, NodeUnreachableError, receive, Terminated } from 'verdant'
import type { MemberEvent } from 'verdant/remote'
import { startNatsCluster, startNatsServer } from '../helpers/nats-server.js'
import { alive } from '../helpers/processes.js'
import { startChildNode } from './child-node.js'
import { describeNats, seen, startNode, useNatsServer } from './fixture.js'

type Echo = { type: 'echo'; text: string; replyTo: ActorRef<string> }

/** Counts asks by how they ended; `settle` waits for all of them. */
function askLedger(): {
  track: (p: Promise<unknown>) => void
  settle: () => Promise<{ answered: number; typed: number; other: unknown[] }>
} {
  const all: Promise<unknown>[] = []
  let answered = 0
  let typed = 0
  const other: unknown[] = []
  return {
    track(p) {
      all.push(
        p.then(
          () => answered++,
          (e: unknown) => {
            if (e instanceof AskTimeoutError || e instanceof NodeUnreachableError) typed++
            else other.push(e)
          },
        ),
      )
    },
    async settle() {
      await Promise.all(all)
      return { answered, typed, other }
    },
  }
}

describeNats('faults across node processes', () => {
  const server = useNatsServer()

  it('kill -9 of a node: its watchers get node-down within the window plus one second, a service keeps answering', async () => {
    const here = await startNode(server().url, { nodeId: 'here', failureWindowMs: 1000 })
    const doomed = await startChildNode(server().url, 'doomed', { failureWindowMs: 1000 })
    const survivor = await startChildNode(server().url, 'survivor', { failureWindowMs: 1000 })
    await seen(here.node, 'doomed', 'survivor')
    const { path } = await doomed.send({ cmd: 'spawn', kind: 'echo', serve: 'echo' })
    await survivor.send({ cmd: 'spawn', kind: 'echo', serve: 'echo' })
    let resolve!: (t: Terminated) => void
    const ended = new Promise<Terminated>((r) => (resolve = r))
    const target = here.node.refAt('doomed', path as string)
    here.system.spawn(
      behavior<Terminated>((ctx) => {
        ctx.watch(target)
        return (msg) => resolve(msg)
      }),
    )
    const service = here.node.service<Echo>('echo')
    // Both instances answer before the kill.
    const before = new Set<string>()
    for (let i = 0; i < 20; i++)
      before.add(await service.ask<string>(() => ({ type: 'where' }) as never, { timeout: 2000 }))
    expect(before.size).toBe(2)
    const asks = askLedger()
    const t0 = performance.now()
    await doomed.kill('SIGKILL')
    expect(alive(doomed.pid)).toBe(false)
    // Asks through the service while the node dies and after: answered or typed, never hanging.
    for (let i = 0; i < 50; i++) {
      asks.track(service.ask((replyTo) => ({ type: 'echo', text: String(i), replyTo }), { timeout: 1500 }))
      await new Promise((r) => setTimeout(r, 10))
    }
    const t = await ended
    const took = performance.now() - t0
    expect(t.reason).toBe('node-down')
    expect(t.ref).toBe(target)
    expect(took).toBeLessThan(1000 + 1000)
    const result = await asks.settle()
    expect(result.other).toEqual([])
    expect(result.answered + result.typed).toBe(50)
    // Once NATS has dropped the dead node's interest, the survivor answers everything.
    const after = await service.ask<string>(() => ({ type: 'who' }) as never, { timeout: 2000 })
    expect(after.startsWith('/user/')).toBe(true)
    expect(result.answered).toBeGreaterThanOrEqual(40)
  })

  it('a node whose event loop is blocked for less than the window is never declared down, on either side', async () => {
    const here = await startNode(server().url, { nodeId: 'here', heartbeatMs: 100, failureWindowMs: 1500 })
    const busy = await startChildNode(server().url, 'busy', { heartbeatMs: 100, failureWindowMs: 1500 })
    await seen(here.node, 'busy')
    const events: MemberEvent[] = []
    here.node.subscribe((e) => events.push(e))
    // Blocked for 1.2 s: longer than the suspicion time (750 ms), shorter than the window.
    await busy.send({ cmd: 'block', ms: 1200 })
    await new Promise((r) => setTimeout(r, 500))
    expect(events.filter((e) => e.type === 'down')).toEqual([])
    expect(events.map((e) => e.type)).toEqual(['unreachable', 'reachable'])
    // The blocked node, once awake, did not judge the others by its own silence.
    const { events: theirs } = await busy.send({ cmd: 'events' })
    expect((theirs as MemberEvent[]).filter((e) => e.node === 'here' && e.type !== 'up')).toEqual([])
    expect(here.node.members().find((m) => m.id === 'busy')?.status).toBe('up')
  })

  it('nats-server restarted under load: nodes reconnect, membership recovers, every tell is received or a dead letter', async () => {
    const own = await startNatsServer()
    try {
      const opts = { nats: { maxReconnectAttempts: -1, reconnectTimeWait: 100 } }
      const sender = await startNode(own.url, { nodeId: 'sender', ...opts })
      const receiver = await startNode(own.url, { nodeId: 'receiver', ...opts })
      const got = new Set<number>()
      receiver.system.spawn(
        receive<number>((n) => void got.add(n)),
        { name: 'sink' },
      )
      await seen(sender.node, 'receiver')
      const sink = sender.node.refAt<number>('receiver', '/user/sink')
      let sent = 0
      const send = (n: number): void => {
        for (let i = 0; i < n; i++) sink.tell(sent++)
      }
      send(200)
      // Handed to the server before it stops: sent before the disconnect, they are not in question.
      await expect.poll(() => got.size).toBe(200)
      // The node learns of the disconnect from its socket; tells written before that went to a
      // socket the server no longer read, which is the at-most-once of tell. From then on, it holds.
      const disconnected = (async () => {
        for await (const st of sender.node._nc.status()) if (st.type === 'disconnect') return
      })()
      await own.stop()
      await disconnected
      await new Promise((r) => setImmediate(r))
      send(200) // while the server is down: held by the node until the receiver is heard again
      await own.restart()
      await expect
        .poll(() => receiver.node.members().find((m) => m.id === 'sender')?.status, { timeout: 5000 })
        .toBe('up')
      await expect
        .poll(() => sender.node.members().find((m) => m.id === 'receiver')?.status, { timeout: 5000 })
        .toBe('up')
      send(200)
      const lost = (): number => sender.dead.filter((d) => d.reason === 'unreachable').length
      await expect.poll(() => got.size + lost(), { timeout: 5000 }).toBe(sent)
      expect(sent).toBe(600)
      // Sent before the stop and after the restart: all received.
      for (let i = 0; i < 200; i++) expect(got.has(i) && got.has(400 + i)).toBe(true)
      const echo = receiver.system.spawn(receive<Echo>((m) => m.replyTo.tell(m.text)))
      const remote = sender.node.refAt<Echo>('receiver', echo.path)
      expect(await remote.ask((replyTo) => ({ type: 'echo', text: 'back', replyTo }))).toBe('back')
    } finally {
      await own.dispose()
    }
  })

  it('three NATS servers: the server a node is on dies, the node fails over, asks in flight end typed or answered', async () => {
    const servers = await startNatsCluster(3)
    try {
      const urls = servers.map((s) => s.url)
      const nats = { maxReconnectAttempts: -1, reconnectTimeWait: 100, noRandomize: true }
      // `here` starts on server 0, `there` on server 1.
      const here = await startNode(urls[0] as string, { nodeId: 'here', nats: { ...nats, servers: urls } })
      const there = await startNode(urls[1] as string, {
        nodeId: 'there',
        nats: { ...nats, servers: [urls[1], urls[2], urls[0]] as string[] },
      })
      there.system.spawn(
        receive<Echo>((m) => {
          setTimeout(() => m.replyTo.tell(m.text), 5)
        }),
        { name: 'echo' },
      )
      await seen(here.node, 'there')
      const remote = here.node.refAt<Echo>('there', '/user/echo')
      expect(await remote.ask((replyTo) => ({ type: 'echo', text: 'first', replyTo }))).toBe('first')
      const asks = askLedger()
      for (let i = 0; i < 20; i++)
        asks.track(remote.ask((replyTo) => ({ type: 'echo', text: String(i), replyTo }), { timeout: 2000 }))
      await (servers[0] as (typeof servers)[0]).kill()
      for (let i = 0; i < 20; i++)
        asks.track(remote.ask((replyTo) => ({ type: 'echo', text: String(i), replyTo }), { timeout: 2000 }))
      const result = await asks.settle()
      expect(result.other).toEqual([])
      expect(result.answered + result.typed).toBe(40)
      // After failover the node is on another server and asks are answered again.
      await expect
        .poll(
          async () =>
            remote
              .ask((replyTo) => ({ type: 'echo', text: 'again', replyTo }), { timeout: 1000 })
              .catch(() => 'no'),
          {
            timeout: 8000,
          },
        )
        .toBe('again')
      expect(here.node._nc.getServer()).not.toBe(`127.0.0.1:${String(servers[0]?.port)}`)
      await here.node.leave()
      await there.node.leave()
    } finally {
      for (const s of servers) await s.dispose()
    }
  })

  it('a node declared down comes back: it is up again and new messages reach it, no restart needed', async () => {
    const here = await startNode(server().url, { nodeId: 'here', failureWindowMs: 1000 })
    const sleepy = await startChildNode(server().url, 'sleepy', { failureWindowMs: 1000 })
    await seen(here.node, 'sleepy')
    const { path } = await sleepy.send({ cmd: 'spawn', kind: 'echo' })
    const ref = here.node.refAt<Echo>('sleepy', path as string)
    const events: MemberEvent[] = []
    here.node.subscribe((e) => events.push(e))
    // Silent for longer than the window: down, as far as anyone can tell.
    await sleepy.send({ cmd: 'block', ms: 1800 })
    await expect.poll(() => events.map((e) => e.type), { timeout: 3000 }).toContain('up')
    expect(events.map((e) => e.type)).toEqual(['unreachable', 'down', 'up'])
    expect(events[1]).toEqual({ type: 'down', node: 'sleepy', reason: 'failed' })
    expect(await ref.ask((replyTo) => ({ type: 'echo', text: 'welcome back', replyTo }))).toBe('welcome back')
    expect(alive(sleepy.pid)).toBe(true)
  })
})
