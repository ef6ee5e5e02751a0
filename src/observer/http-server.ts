/**
 * The observer's HTTP server: the live page, `/snapshot.json`, `/events` (server-sent events) and
 * `/metrics`, over `node:http` alone so `verdant/observer` adds no dependency.
 *
 * It is read-only by construction: every method but `GET` and `HEAD` is refused, so opening the port
 * can never change the program. It costs nothing while nobody watches: the one sampling timer exists
 * only while an SSE client is connected, and clients asking the same query share one snapshot per
 * tick. A slow client skips ticks instead of making the server buffer for it, and a throwing
 * `collect` is reported to the client, never to the program.
 *
 * @module
 */
import { Buffer } from 'node:buffer'
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import { checkCount, checkMs, checkOptions, typeError } from '../errors.js'
import type { ObserverSnapshot, SnapshotQuery } from './snapshot-types.js'

/**
 * What the observer's HTTP server serves, and where.
 * @since 0.3.0
 * @internal
 */
export interface ObserverServerOptions {
  /** Interface to listen on, already checked by the caller. */
  readonly host: string
  /** Port to listen on; 0 takes a free one (read it back from `ObserverServer.port`). */
  readonly port: number
  /** When set, every request must carry it (`?token=` or `Authorization: Bearer`). */
  readonly token: string | undefined
  /** Period of the SSE snapshots, in ms. */
  readonly intervalMs: number
  /** SSE clients at once; the next one is answered 503. */
  readonly maxClients: number
  /** Takes one snapshot; called only on demand, never while nobody is connected. */
  readonly collect: (q: SnapshotQuery) => ObserverSnapshot
  /**
   * The HTML of `GET /`. Its inline `<script>` blocks are allowed by their hash, so it must not
   * use inline event handlers (`onclick=`) or load scripts from elsewhere.
   */
  readonly page: () => string
  /** The body of `GET /metrics`. */
  readonly metrics: () => string
  readonly metricsContentType: string
}

/**
 * A running observer server.
 * @since 0.3.0
 * @internal
 */
export interface ObserverServer {
  /** `http://host:port`, without a trailing slash or the token. */
  readonly url: string
  /** The port it listens on (the one chosen when asked for 0). */
  readonly port: number
  /** SSE clients connected right now. */
  clients(): number
  /** Ends every stream and connection and stops listening; resolves once closed. Idempotent. */
  close(): Promise<void>
}

/** Beyond this a URL is refused (414): no legitimate query comes near it. */
const MAX_URL_BYTES = 2048

/**
 * Longest silence on an SSE stream. Snapshots are themselves heartbeats, so pings are only sent
 * between snapshots longer apart than this; they make a half-open connection fail a write and go.
 */
const PING_MS = 15_000

/** Largest `limit` a query may ask for, as `SnapshotQuery` documents. */
const MAX_LIMIT = 1000

/** Sent with every response: nothing here may be cached, sniffed or embedded by another site. */
const COMMON_HEADERS: OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/** One connected `/events` client. */
interface SseClient {
  readonly res: ServerResponse
  readonly query: SnapshotQuery
  /** Clients with the same key are sent the same snapshot. */
  readonly key: string
  /** Its last write did not fit in the socket's buffer: it skips ticks until 'drain'. */
  blocked: boolean
}

/** What a request's query asks for, or why it is refused. */
type ParsedQuery = { readonly query: SnapshotQuery; readonly key: string } | string

/**
 * Starts the observer's HTTP server and resolves once it listens.
 *
 * **Details**: routes are `GET /` (the page), `/snapshot.json`, `/events` (server-sent events) and
 * `/metrics`; `HEAD` works wherever `GET` does and every other method is 405. A bad query is 400,
 * a missing or wrong token 401, an unknown path 404, a URL over 2048 bytes 414, one SSE client too
 * many 503. Bad options reject the promise (`TypeError` or `RangeError`), as does a port in use.
 *
 * Without a token and bound to a loopback address, a request whose `Host` is a DNS name other than
 * `localhost` or the bound host is 403: only a DNS-rebinding page in a browser sends one, to read
 * the program from a site the user merely visited.
 * @since 0.3.0
 * @internal
 */
export function createObserverServer(o: ObserverServerOptions): Promise<ObserverServer> {
  try {
    checkServerOptions(o)
  } catch (e) {
    // A function that returns a promise reports every failure through it, bad options included.
    return Promise.reject(e)
  }
  const { host, token, intervalMs, maxClients, collect, page, metrics, metricsContentType } = o
  const tokenDigest = token === undefined ? undefined : digest(token)
  const checkHost = token === undefined && isLoopback(host)
  const clients = new Set<SseClient>()
  // A snapshot every `ticksPerSnapshot` ticks and a ping on the others, so long intervals still
  // hear from every client at least every PING_MS, from the same single timer.
  const ticksPerSnapshot = Math.max(1, Math.ceil(intervalMs / PING_MS))
  let tickCount = 0
  let timer: NodeJS.Timeout | undefined
  let closing: Promise<void> | undefined
  let csp: { readonly html: string; readonly header: string } | undefined

  const server = createServer((req, res) => {
    try {
      route(req, res)
    } catch (e) {
      // A bug here must cost one request, not the program being observed.
      if (!res.headersSent) plain(res, 500, messageOf(e))
      else res.destroy()
    }
  })
  // Errors after listening (EMFILE on accept, say) must not crash the program being observed.
  const ignore = (): void => undefined

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    if (Buffer.byteLength(url) > MAX_URL_BYTES) return plain(res, 414, 'URL too long')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return plain(res, 405, 'the observer is read-only: GET and HEAD only', { Allow: 'GET, HEAD' })
    }
    if (checkHost && !trustedHost(req.headers.host, host)) {
      return plain(res, 403, 'unknown Host: open the observer by its IP address or localhost')
    }
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1))
    if (tokenDigest !== undefined && !authorized(req, params, tokenDigest)) {
      return plain(res, 401, 'token required', { 'WWW-Authenticate': 'Bearer' })
    }
    switch (path) {
      case '/':
        return servePage(res)
      case '/metrics':
        return serveText(res, metrics, metricsContentType)
      case '/snapshot.json':
      case '/events': {
        const parsed = parseQuery(params)
        if (typeof parsed === 'string') return plain(res, 400, parsed)
        return path === '/events'
          ? serveEvents(req, res, parsed.query, parsed.key)
          : serveText(res, () => JSON.stringify(collect(parsed.query)), 'application/json; charset=utf-8')
      }
      default:
        return plain(res, 404, 'not found')
    }
  }

  function servePage(res: ServerResponse): void {
    let html: string
    try {
      html = page()
    } catch (e) {
      return plain(res, 500, messageOf(e))
    }
    if (csp?.html !== html) csp = { html, header: contentSecurityPolicy(html) }
    send(res, 200, html, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp.header,
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    })
  }

  function serveText(res: ServerResponse, body: () => string, contentType: string): void {
    let text: string
    try {
      text = body()
    } catch (e) {
      return plain(res, 500, messageOf(e))
    }
    send(res, 200, text, { 'Content-Type': contentType })
  }

  function serveEvents(req: IncomingMessage, res: ServerResponse, query: SnapshotQuery, key: string): void {
    if (closing !== undefined) return plain(res, 503, 'the observer is closing')
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...COMMON_HEADERS, ...SSE_HEADERS })
      return void res.end()
    }
    if (clients.size >= maxClients) {
      return plain(res, 503, `too many observers (at most ${maxClients})`, { 'Retry-After': '5' })
    }
    res.writeHead(200, { ...COMMON_HEADERS, ...SSE_HEADERS })
    res.flushHeaders()
    const client: SseClient = { res, query, key, blocked: false }
    const remove = (): void => {
      if (!clients.delete(client)) return
      if (clients.size === 0) stopTimer()
    }
    // Either may come first when the peer goes; both are needed because `req` 'close' alone has
    // varied across Node versions, and a write to a gone socket must not throw in the program.
    req.on('close', remove)
    res.on('close', remove)
    res.on('error', remove)
    clients.add(client)
    const first = frame(() => collect(query))
    write(client, first)
    if (timer === undefined && clients.has(client)) {
      tickCount = 0
      timer = setInterval(tick, intervalMs / ticksPerSnapshot)
    }
  }

  function tick(): void {
    tickCount = (tickCount + 1) % ticksPerSnapshot
    if (tickCount !== 0) {
      for (const c of clients) if (!c.blocked) write(c, ': ping\n\n')
      return
    }
    // One snapshot per distinct query, and none for a query whose every client is blocked.
    const frames = new Map<string, string>()
    for (const c of [...clients]) {
      if (c.blocked || !clients.has(c)) continue
      let f = frames.get(c.key)
      if (f === undefined) {
        f = frame(() => collect(c.query))
        frames.set(c.key, f)
      }
      write(c, f)
    }
  }

  function write(c: SseClient, chunk: string): void {
    const { res } = c
    if (res.writableEnded || res.destroyed) return
    if (res.write(chunk)) return
    c.blocked = true
    res.once('drain', () => {
      c.blocked = false
    })
  }

  function stopTimer(): void {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
  }

  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      stopTimer()
      const open = [...clients]
      clients.clear()
      for (const c of open) c.res.end()
      server.close(() => {
        server.off('error', ignore)
        resolve()
      })
      // The SSE responses and idle keep-alive sockets would otherwise hold `close` open for ever.
      if (typeof server.closeAllConnections === 'function') server.closeAllConnections()
      else for (const c of open) c.res.destroy()
    })
    return closing
  }

  return new Promise<ObserverServer>((resolve, reject) => {
    const failed = (e: Error): void => {
      reject(e)
    }
    server.once('error', failed)
    server.listen(o.port, host, () => {
      server.off('error', failed)
      server.on('error', ignore)
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : o.port
      const shown = host.includes(':') ? `[${host}]` : host
      resolve({ url: `http://${shown}:${port}`, port, clients: () => clients.size, close })
    })
  })
}

const SSE_HEADERS: OutgoingHttpHeaders = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  // Proxies such as nginx would otherwise hold the stream back until their buffer fills.
  'X-Accel-Buffering': 'no',
}

/** An SSE frame with a snapshot, or an `error` event naming why there is none this time. */
function frame(snapshot: () => ObserverSnapshot): string {
  try {
    // JSON.stringify escapes every newline, so the whole snapshot fits on one `data:` line.
    return `data: ${JSON.stringify(snapshot())}\n\n`
  } catch (e) {
    return `event: error\ndata: ${JSON.stringify({ error: messageOf(e) })}\n\n`
  }
}

function parseQuery(params: URLSearchParams): ParsedQuery {
  const seen = new Set<string>()
  let tasks: SnapshotQuery['tasks']
  let actors: SnapshotQuery['actors']
  let limit: number | undefined
  for (const [name, value] of params) {
    if (seen.has(name)) return `repeated parameter: ${name}`
    seen.add(name)
    switch (name) {
      case 'tasks':
        if (value !== 'age' && value !== 'children') return 'tasks must be age or children'
        tasks = value
        break
      case 'actors':
        if (value !== 'mailbox' && value !== 'restarts' && value !== 'rate')
          return 'actors must be mailbox, restarts or rate'
        actors = value
        break
      case 'limit': {
        const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN
        if (!(n >= 1 && n <= MAX_LIMIT)) return `limit must be an integer from 1 to ${MAX_LIMIT}`
        limit = n
        break
      }
      case 'token':
        break
      default:
        return `unknown parameter: ${short(name)}`
    }
  }
  const query: { -readonly [K in keyof SnapshotQuery]: SnapshotQuery[K] } = {}
  if (tasks !== undefined) query.tasks = tasks
  if (actors !== undefined) query.actors = actors
  if (limit !== undefined) query.limit = limit
  return { query, key: `${tasks ?? ''}|${actors ?? ''}|${limit ?? ''}` }
}

/** The token of `?token=` (exactly once) or of `Authorization: Bearer`, compared in constant time. */
function authorized(req: IncomingMessage, params: URLSearchParams, expected: Buffer): boolean {
  const inQuery = params.getAll('token')
  let given: string | undefined
  if (inQuery.length === 1) given = inQuery[0]
  else if (inQuery.length === 0) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')
    given = m?.[1]
  }
  // Hashing first gives equal-length buffers, so neither the length nor the content of the token
  // leaks through the time the comparison takes.
  return given !== undefined && timingSafeEqual(digest(given), expected)
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest()
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h === '::1' || h === '[::1]' || (isIP(h) === 4 && h.startsWith('127.'))
}

/**
 * A `Host` a browser sends only when the page was opened on purpose: an IP literal, `localhost`, or
 * the name the server was bound with. A rebinding attack needs a DNS name of its own.
 */
function trustedHost(header: string | undefined, bound: string): boolean {
  if (header === undefined) return true
  const h = header.toLowerCase()
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d*$/, '')
  return (
    isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || name === bound.toLowerCase()
  )
}

/**
 * Scripts only from the page's own inline blocks (by hash), styles inline, requests to this server
 * only, and nothing else: no frames, forms, plugins or base rewriting.
 */
function contentSecurityPolicy(html: string): string {
  const hashes: string[] = []
  for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi)) {
    const body = m[1] ?? ''
    if (body.length > 0) hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`)
  }
  return [
    "default-src 'none'",
    `script-src ${hashes.length > 0 ? hashes.join(' ') : "'none'"}`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

function send(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

function plain(res: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, `${text}\n`, { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** A client-supplied name, cut short enough to echo back. */
function short(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s)
}

function checkServerOptions(o: ObserverServerOptions): void {
  if (o === undefined) throw typeError('options', 'an options object', o)
  checkOptions(o, 'options')
  checkCount('port', o.port, 0)
  if (o.port > 65535) throw new RangeError(`Expected \`port\` to be at most 65535, got \`${o.port}\``)
  if (o.token !== undefined && (typeof o.token !== 'string' || o.token.length === 0)) {
    throw typeError('token', 'a non-empty string or undefined', o.token)
  }
  checkMs('intervalMs', o.intervalMs)
  if (o.intervalMs === 0 || o.intervalMs === Infinity) {
    throw new RangeError(`Expected \`intervalMs\` to be finite and > 0, got \`${o.intervalMs}\``)
  }
  checkCount('maxClients', o.maxClients, 0, { infinite: true })
  for (const name of ['collect', 'page', 'metrics'] as const) {
    if (typeof o[name] !== 'function') throw typeError(name, 'a function', o[name])
  }
  if (typeof o.metricsContentType !== 'string') {
    throw typeError('metricsContentType', 'a string', o.metricsContentType)
  }
}
