import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createObserverServer,
  type ObserverServer,
  type ObserverServerOptions,
} from '../../src/observer/http-server.js'
import type { ObserverSnapshot, SnapshotQuery } from '../../src/observer/snapshot-types.js'

const INTERVAL = 50
const PAGE =
  '<!doctype html><title>observer</title><style>b{color:red}</style><script>document.title="x"</script>'

const loopDelayMs = { p50: 1, p99: 2, max: 3 }
const taskRow = {
  id: 1,
  name: 'main',
  state: 'running',
  ageMs: 5,
  parent: undefined,
  children: 0,
  waitsOn: 'a promise',
}

/** A valid snapshot built by hand; `at` carries the number of the `collect` call that made it. */
function snapshot(seq: number, taskName = 'main'): ObserverSnapshot {
  return {
    v: 1,
    at: seq,
    tookMs: 0.1,
    process: { pid: 1, node: 'v20.0.0', uptimeMs: 10, loopDelayMs, heapUsedBytes: 100, rssBytes: 200 },
    tasks: { live: 1, failed: 0, cancelled: 0, rows: [{ ...taskRow, name: taskName }] },
    actorSystems: [
      {
        name: 'sys',
        actors: 1,
        mailboxes: 0,
        deadLetters: 0,
        deadLettersPerSec: 0,
        lastDeadLetters: [],
        rows: [],
      },
    ],
    executors: [],
    pools: [],
    queues: [],
    slowSteps: [],
    clusters: [],
  }
}

/** A fake `collect` that counts its calls and remembers their queries. */
function fakeCollect() {
  const calls: SnapshotQuery[] = []
  const state = { fail: undefined as string | undefined, big: 0 }
  const collect = (q: SnapshotQuery): ObserverSnapshot => {
    calls.push(q)
    if (state.fail !== undefined) throw new Error(state.fail)
    return snapshot(calls.length, state.big > 0 && q.limit === 999 ? 'x'.repeat(state.big) : 'main')
  }
  const count = (limit?: number): number =>
    limit === undefined ? calls.length : calls.filter((q) => q.limit === limit).length
  return { calls, state, collect, count }
}

const servers: ObserverServer[] = []
const sockets: Socket[] = []

const setIntervalSpy = vi.spyOn(globalThis, 'setInterval')
const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval')

/** Interval timers of the observer's period not cleared: its sampling timer, if it exists. */
function liveSamplers(): number {
  const cleared = new Set(clearIntervalSpy.mock.calls.map((c) => c[0]))
  return setIntervalSpy.mock.results.filter(
    (r, i) => r.type === 'return' && setIntervalSpy.mock.calls[i]?.[1] === INTERVAL && !cleared.has(r.value),
  ).length
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(servers.splice(0).map((s) => s.close()))
  expect(liveSamplers()).toBe(0)
})

async function start(
  over: Partial<ObserverServerOptions> = {},
): Promise<{ server: ObserverServer; fake: ReturnType<typeof fakeCollect>; base: string }> {
  const fake = fakeCollect()
  const server = await createObserverServer({ ...DEFAULTS, collect: fake.collect, ...over })
  servers.push(server)
  return { server, fake, base: server.url }
}

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  token: undefined,
  intervalMs: INTERVAL,
  maxClients: 8,
  page: () => PAGE,
  metrics: () => '# TYPE verdant_tasks gauge\nverdant_tasks 1\n',
  metricsContentType: 'text/plain; version=0.0.4',
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Reads server-sent events off a fetch response, one frame at a time; comment lines are skipped. */
class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>
  private readonly decoder = new TextDecoder()
  private buffer = ''

  constructor(res: Response) {
    this.reader = res.body!.getReader()
  }

  async next(): Promise<{ event: string; data: string }> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n')
      if (end !== -1) {
        const block = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end + 2)
        let event = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue
          if (line.startsWith('event: ')) event = line.slice(7)
          if (line.startsWith('data: ')) data.push(line.slice(6))
        }
        if (data.length > 0) return { event, data: data.join('\n') }
      }
      const { done, value } = await this.reader.read()
      if (done) throw new Error('stream ended')
      this.buffer += this.decoder.decode(value, { stream: true })
    }
  }

  /** The next snapshot's `at`, i.e. the number of the `collect` call that made it. */
  async nextSeq(): Promise<number> {
    const f = await this.next()
    expect(f.event).toBe('message')
    return (JSON.parse(f.data) as ObserverSnapshot).at
  }

  /** Resolves true once the server ended the stream. */
  async ended(): Promise<boolean> {
    for (;;) {
      const { done } = await this.reader.read()
      if (done) return true
    }
  }
}

async function openEvents(base: string, query = '', signal?: AbortSignal) {
  const res = await fetch(`${base}/events${query}`, signal === undefined ? {} : { signal })
  return { res, sse: new SseReader(res) }
}

/** A raw request, for what `fetch` will not send (a `Host` of its own). */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('observer http server: routes', () => {
  it('serves the page with no-store and a CSP allowing only its own inline script', async () => {
    const { base, fake } = await start()
    const res = await fetch(`${base}/`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(PAGE)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const csp = res.headers.get('content-security-policy')!
    const hash = createHash('sha256').update('document.title="x"').digest('base64')
    expect(csp).toContain(`script-src 'sha256-${hash}'`)
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).toContain("style-src 'unsafe-inline'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(fake.count()).toBe(0)
  })

  it('answers HEAD where GET is, without a body', async () => {
    const { base } = await start()
    for (const path of ['/', '/snapshot.json', '/metrics', '/events']) {
      const res = await fetch(`${base}${path}`, { method: 'HEAD' })
      expect(res.status, path).toBe(200)
      expect(await res.text(), path).toBe('')
    }
    const page = await fetch(`${base}/`, { method: 'HEAD' })
    expect(page.headers.get('content-length')).toBe(String(Buffer.byteLength(PAGE)))
  })

  it('serves /metrics with its content type', async () => {
    const { base } = await start()
    const res = await fetch(`${base}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4')
    expect(await res.text()).toBe('# TYPE verdant_tasks gauge\nverdant_tasks 1\n')
  })

  it('serves /snapshot.json from collect, with the query it was given', async () => {
    const { base, fake } = await start()
    const res = await fetch(`${base}/snapshot.json`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(snapshot(1))))
    expect(fake.calls).toEqual([{}])

    const res2 = await fetch(`${base}/snapshot.json?tasks=children&actors=restarts&limit=1000`)
    expect(res2.status).toBe(200)
    expect(((await res2.json()) as ObserverSnapshot).at).toBe(2)
    expect(fake.calls[1]).toEqual({ tasks: 'children', actors: 'restarts', limit: 1000 })

    await fetch(`${base}/snapshot.json?tasks=age&actors=mailbox&limit=1`)
    expect(fake.calls[2]).toEqual({ tasks: 'age', actors: 'mailbox', limit: 1 })
  })

  it('refuses a bad query with 400 and a short reason, without collecting', async () => {
    const { base, fake } = await start()
    const bad: [string, RegExp][] = [
      ['tasks=size', /tasks/],
      ['actors=age', /actors/],
      ['tasks=', /tasks/],
      ['limit=0', /limit/],
      ['limit=1001', /limit/],
      ['limit=-1', /limit/],
      ['limit=1.5', /limit/],
      ['limit=abc', /limit/],
      ['limit=1e2', /limit/],
      ['limit=5&limit=5', /repeated/],
      ['tasks=age&tasks=children', /repeated/],
      ['sort=age', /unknown parameter/],
    ]
    for (const [query, reason] of bad) {
      for (const path of ['/snapshot.json', '/events']) {
        const res = await fetch(`${base}${path}?${query}`)
        expect(res.status, `${path}?${query}`).toBe(400)
        expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
        const text = await res.text()
        expect(text).toMatch(reason)
        expect(text.length).toBeLessThan(100)
      }
    }
    expect(fake.count()).toBe(0)
  })

  it('answers 404 for an unknown path', async () => {
    const { base } = await start()
    for (const path of ['/nope', '/snapshot.json/', '/events/x', '/SNAPSHOT.JSON', '/index.html']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(404)
      await res.text()
    }
  })

  it('refuses every other method with 405 and Allow: GET, HEAD, changing nothing', async () => {
    const { base, fake } = await start()
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of ['/', '/snapshot.json', '/events', '/metrics', '/nope']) {
        const res = await fetch(`${base}${path}`, {
          method,
          ...(method === 'OPTIONS' ? {} : { body: 'x' }),
        })
        expect(res.status, `${method} ${path}`).toBe(405)
        expect(res.headers.get('allow')).toBe('GET, HEAD')
        await res.text()
      }
    }
    expect(fake.count()).toBe(0)
  })

  it('answers 414 for a URL over 2048 bytes, and serves one of exactly 2048', async () => {
    const { base, fake } = await start()
    const prefix = '/?pad='
    const exact = prefix + 'a'.repeat(2048 - prefix.length)
    expect((await fetch(`${base}${exact}`)).status).toBe(200)
    const res = await fetch(`${base}${exact}a`)
    expect(res.status).toBe(414)
    expect((await fetch(`${base}/snapshot.json?limit=5&x=${'é'.repeat(1100)}`)).status).toBe(414)
    expect(fake.count()).toBe(0)
  })

  it('without a token, refuses a DNS name as Host on loopback (rebinding) but not an IP or localhost', async () => {
    const { base } = await start()
    expect(await rawGet(base, '/snapshot.json', { Host: 'attacker.example:80' })).toBe(403)
    expect(await rawGet(base, '/', { Host: 'attacker.example' })).toBe(403)
    expect(await rawGet(base, '/snapshot.json', { Host: 'localhost:1234' })).toBe(200)
    expect(await rawGet(base, '/snapshot.json', { Host: '[::1]:1234' })).toBe(200)
    expect(await rawGet(base, '/snapshot.json', { Host: '127.0.0.1' })).toBe(200)
  })

  it('keeps serving when collect, page or metrics throws', async () => {
    const { base, fake } = await start({
      page: () => {
        throw new Error('page broke')
      },
      metrics: () => {
        throw new Error('metrics broke')
      },
    })
    fake.state.fail = 'collect broke'
    const res = await fetch(`${base}/snapshot.json`)
    expect(res.status).toBe(500)
    expect(await res.text()).toContain('collect broke')
    expect((await fetch(`${base}/`)).status).toBe(500)
    const m = await fetch(`${base}/metrics`)
    expect(m.status).toBe(500)
    expect(await m.text()).toContain('metrics broke')

    const { sse } = await openEvents(base)
    const first = await sse.next()
    expect(first.event).toBe('error')
    expect(JSON.parse(first.data)).toEqual({ error: 'collect broke' })
    expect((await sse.next()).event).toBe('error')
    fake.state.fail = undefined
    const next = await sse.next()
    expect(next.event).toBe('message')
    expect(JSON.parse(next.data)).toMatchObject({ v: 1 })
    expect((await fetch(`${base}/snapshot.json`)).status).toBe(200)
  })
})

describe('observer http server: token', () => {
  it('requires the token on every route, by query or Bearer header', async () => {
    const { base, fake } = await start({ token: 's3cret-token' })
    for (const path of ['/', '/snapshot.json', '/events', '/metrics', '/nope']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer')
      await res.text()
    }
    const wrong = [
      '?token=s3cret-tokeN',
      '?token=s3cret',
      '?token=',
      '?token=s3cret-token&token=s3cret-token',
      '?token=x&token=s3cret-token',
    ]
    for (const q of wrong) {
      const res = await fetch(`${base}/snapshot.json${q}`)
      expect(res.status, q).toBe(401)
      await res.text()
    }
    const badBearer = await fetch(`${base}/snapshot.json`, { headers: { Authorization: 'Bearer nope' } })
    expect(badBearer.status).toBe(401)
    const basic = await fetch(`${base}/snapshot.json`, { headers: { Authorization: 'Basic s3cret-token' } })
    expect(basic.status).toBe(401)
    expect(fake.count()).toBe(0)

    expect((await fetch(`${base}/?token=s3cret-token`)).status).toBe(200)
    const q = await fetch(`${base}/snapshot.json?limit=3&token=s3cret-token`)
    expect(q.status).toBe(200)
    expect(fake.calls).toEqual([{ limit: 3 }])
    const bearer = await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer s3cret-token' } })
    expect(bearer.status).toBe(200)
    const ac = new AbortController()
    const { res, sse } = await openEvents(base, '?token=s3cret-token', ac.signal)
    expect(res.status).toBe(200)
    expect(await sse.nextSeq()).toBe(2)
    ac.abort()
  })

  it('does not check anything without a token, and ignores a token parameter', async () => {
    const { base } = await start()
    expect((await fetch(`${base}/snapshot.json?token=whatever`)).status).toBe(200)
    expect((await fetch(`${base}/`, { headers: { Authorization: 'Bearer x' } })).status).toBe(200)
  })
})

describe('observer http server: events', () => {
  it('streams a snapshot at once, then one every intervalMs, with SSE headers', async () => {
    const { base, server, fake } = await start()
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    const ac = new AbortController()
    const t0 = performance.now()
    const { res, sse } = await openEvents(base, '?tasks=children&limit=7', ac.signal)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('connection')).toBe('keep-alive')
    expect(await sse.nextSeq()).toBe(1)
    expect(server.clients()).toBe(1)
    expect(fake.calls[0]).toEqual({ tasks: 'children', limit: 7 })
    expect(await sse.nextSeq()).toBe(2)
    // The second came from the timer, not at once: at least about one interval later.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(INTERVAL * 0.8)
    expect(fake.calls[1]).toEqual({ tasks: 'children', limit: 7 })
    expect(await sse.nextSeq()).toBe(3)
    ac.abort()
    await expect.poll(() => server.clients()).toBe(0)
  })

  it('sends the first snapshot at once, not at the first tick', async () => {
    const { base } = await start({ intervalMs: 60_000 })
    const ac = new AbortController()
    const first = openEvents(base, '', ac.signal).then(({ sse }) => sse.nextSeq())
    let timer: NodeJS.Timeout | undefined
    const late = new Promise((r) => (timer = setTimeout(r, 5000, 'not at once')))
    expect(await Promise.race([first, late])).toBe(1)
    clearTimeout(timer)
    ac.abort()
  })

  it('holds one timer only while some client is connected', async () => {
    const { base, server, fake } = await start()
    await (await fetch(`${base}/snapshot.json`)).text()
    expect(liveSamplers()).toBe(0)
    const [ac1, ac2] = [new AbortController(), new AbortController()]
    await (await openEvents(base, '', ac1.signal)).sse.nextSeq()
    expect(liveSamplers()).toBe(1)
    await (await openEvents(base, '?limit=3', ac2.signal)).sse.nextSeq()
    expect(liveSamplers()).toBe(1)
    ac1.abort()
    await expect.poll(() => server.clients()).toBe(1)
    expect(liveSamplers()).toBe(1)
    ac2.abort()
    await expect.poll(() => server.clients()).toBe(0)
    expect(liveSamplers()).toBe(0)
    const n = fake.count()
    // Absence can only be seen over time; a slow machine makes this pass more easily, not fail.
    await sleep(INTERVAL * 4)
    expect(fake.count()).toBe(n)
  })

  it('collects once per tick per distinct query, shared by the clients asking it', async () => {
    const { base, server, fake } = await start()
    const ac = new AbortController()
    const a = await openEvents(base, '?limit=7', ac.signal)
    await a.sse.nextSeq()
    const b = await openEvents(base, '?limit=7', ac.signal)
    await b.sse.nextSeq()
    const d = await openEvents(base, '?limit=1', ac.signal)
    const d0 = await d.sse.nextSeq()
    expect(server.clients()).toBe(3)
    // Seqs number the collect calls. Every tick after D joined collects once for limit=7, written to
    // A and B alike, and once for limit=1: A and B see the same seqs, 2 apart, D's in between.
    const after = async (c: typeof a, n: number): Promise<number[]> => {
      const seqs: number[] = []
      while (seqs.length < n) {
        const s = await c.sse.nextSeq()
        if (s > d0) seqs.push(s)
      }
      return seqs
    }
    const [fromA, fromB, fromD] = [await after(a, 3), await after(b, 3), await after(d, 3)]
    expect(fromB).toEqual(fromA)
    expect([fromA[1]! - fromA[0]!, fromA[2]! - fromA[1]!]).toEqual([2, 2])
    expect(fromD.map((s, i) => Math.abs(s - fromA[i]!))).toEqual([1, 1, 1])
    expect(fromD.every((s) => fake.calls[s - 1]!.limit === 1)).toBe(true)
    expect(fromA.every((s) => fake.calls[s - 1]!.limit === 7)).toBe(true)
    ac.abort()
    await expect.poll(() => server.clients()).toBe(0)
  })

  it('removes a client that aborts, and stops collecting when the last one goes', async () => {
    const { base, server, fake } = await start()
    const ac = new AbortController()
    const { sse } = await openEvents(base, '', ac.signal)
    await sse.nextSeq()
    await sse.nextSeq()
    expect(server.clients()).toBe(1)
    ac.abort()
    await expect.poll(() => server.clients()).toBe(0)
    expect(liveSamplers()).toBe(0)
    const n = fake.count()
    // A new client starts the timer again.
    const ac2 = new AbortController()
    const again = await openEvents(base, '', ac2.signal)
    expect(await again.sse.nextSeq()).toBe(n + 1)
    expect(await again.sse.nextSeq()).toBe(n + 2)
    ac2.abort()
    await expect.poll(() => server.clients()).toBe(0)
  })

  it('answers 503 beyond maxClients, and takes a client again once one left', async () => {
    const { base, server } = await start({ maxClients: 2 })
    const ac1 = new AbortController()
    const ac2 = new AbortController()
    await (await openEvents(base, '', ac1.signal)).sse.nextSeq()
    await (await openEvents(base, '?limit=4', ac2.signal)).sse.nextSeq()
    const third = await fetch(`${base}/events`)
    expect(third.status).toBe(503)
    expect(await third.text()).toMatch(/too many/)
    expect(server.clients()).toBe(2)
    // Other routes are not limited.
    expect((await fetch(`${base}/snapshot.json`)).status).toBe(200)
    ac1.abort()
    await expect.poll(() => server.clients()).toBe(1)
    const ac3 = new AbortController()
    const { res, sse } = await openEvents(base, '', ac3.signal)
    expect(res.status).toBe(200)
    await sse.nextSeq()
    expect(server.clients()).toBe(2)
    ac2.abort()
    ac3.abort()
    await expect.poll(() => server.clients()).toBe(0)
  })

  it('lets a client that does not read skip ticks until it drains', async () => {
    const { server, fake } = await start()
    fake.state.big = 1 << 20
    const socket = connect(server.port, '127.0.0.1')
    sockets.push(socket)
    await new Promise<void>((resolve) => socket.once('connect', resolve))
    let received = 0
    socket.on('data', (d: Buffer) => (received += d.length))
    socket.pause()
    socket.write(`GET /events?limit=999 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
    await expect.poll(() => server.clients()).toBe(1)
    // Once the socket buffers are full, the server stops collecting for it: the count settles.
    const settled = async (): Promise<number> => {
      for (let i = 0; i < 40; i++) {
        const n = fake.count(999)
        await sleep(INTERVAL * 6)
        if (fake.count(999) === n) return n
      }
      throw new Error('collect never stopped for a client that does not read')
    }
    const stuck = await settled()
    expect(stuck).toBeGreaterThan(1)
    expect(server.clients()).toBe(1)
    socket.resume()
    // Reading drains it, and the ticks come back.
    await expect.poll(() => fake.count(999), { timeout: 5000 }).toBeGreaterThan(stuck + 2)
    await expect.poll(() => received, { timeout: 5000 }).toBeGreaterThan(stuck * (1 << 20))
    socket.destroy()
    await expect.poll(() => server.clients()).toBe(0)
  })

  it('survives 50 clients opened and aborted in quick succession', async () => {
    const { base, server } = await start({ maxClients: 100 })
    const opened: Promise<unknown>[] = []
    for (let i = 0; i < 50; i++) {
      const ac = new AbortController()
      const p = fetch(`${base}/events?limit=${(i % 5) + 1}`, { signal: ac.signal }).then(async (res) => {
        const reader = res.body!.getReader()
        if (i % 2 === 0) await reader.read()
        ac.abort()
        await reader.read().catch(() => undefined)
      })
      if (i % 3 === 0) ac.abort()
      opened.push(p.catch(() => undefined))
    }
    await Promise.all(opened)
    const res = await fetch(`${base}/snapshot.json`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as ObserverSnapshot).v).toBe(1)
    await expect.poll(() => server.clients()).toBe(0)
  })
})

describe('observer http server: close', () => {
  it('ends the streams, releases the port, and is idempotent', async () => {
    const { base, server } = await start()
    const { sse } = await openEvents(base)
    await sse.nextSeq()
    const keptAlive = await fetch(`${base}/snapshot.json`)
    await keptAlive.text()
    const closing = server.close()
    expect(server.close()).toBe(closing)
    await closing
    await server.close()
    expect(server.clients()).toBe(0)
    expect(await sse.ended()).toBe(true)
    await expect(fetch(`${base}/snapshot.json`)).rejects.toThrow()
    await expect(rawGet(base, '/', {})).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('clears the timer when closed with a client connected', async () => {
    const { base, server } = await start()
    await (await openEvents(base)).sse.nextSeq()
    expect(liveSamplers()).toBe(1)
    await server.close()
    expect(liveSamplers()).toBe(0)
  })
})

describe('observer http server: options', () => {
  const ok = { ...DEFAULTS, collect: () => snapshot(1) }
  const bad: [typeof RangeError, Record<string, unknown[]>][] = [
    [RangeError, { port: [-1, 1.5, 70000], intervalMs: [0, -5, Infinity, '50'], maxClients: [-1, 2.5] }],
    [
      TypeError,
      { token: ['', 5], collect: ['x'], page: [undefined], metrics: [null], metricsContentType: [1] },
    ],
  ]
  it('rejects bad options with a typed error naming the option', async () => {
    for (const [type, cases] of bad) {
      for (const [name, values] of Object.entries(cases)) {
        for (const value of values) {
          const p = createObserverServer({ ...ok, [name]: value })
          await expect(p, `${name}: ${String(value)}`).rejects.toThrow(type)
          await expect(p).rejects.toThrow(name)
        }
      }
    }
    await expect(createObserverServer(null as unknown as ObserverServerOptions)).rejects.toThrow(TypeError)
  })

  it('rejects when the port is taken', async () => {
    const { server } = await start()
    const taken = createObserverServer({ ...ok, port: server.port })
    await expect(taken).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })
})
