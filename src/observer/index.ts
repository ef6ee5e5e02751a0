/**
 * `verdant/observer`: a live page about the running program (its tasks, actor systems and
 * executors), the same data as JSON and as a server-sent event stream, and Prometheus metrics.
 *
 * It is read-only: no endpoint can change anything in the program. It binds to 127.0.0.1 by
 * default; anywhere else it needs a token that the page and every endpoint check. It samples
 * only while someone looks: with no page open and no scrape, it costs nothing but its socket.
 *
 * @module
 */
import { checkCount, checkMs, checkOptions, typeError } from '../errors.js'
import { observe, unobserve } from '../platform/observed.js'
import { Collector } from './collect.js'
import { createObserverServer, type ObserverServer } from './http-server.js'
import { observerPage } from './page.js'
import { METRICS_CONTENT_TYPE, renderMetrics } from './prometheus.js'
import type { ObserverSnapshot, SnapshotQuery } from './snapshot-types.js'

export type {
  ActorRow,
  ActorSystemInfo,
  DeadLetterRow,
  ExecutorInfo,
  ObserverSnapshot,
  PoolInfo,
  ProcessInfo,
  SnapshotQuery,
  TaskRow,
  TasksInfo,
} from './snapshot-types.js'

/** Options of `startObserver`. @since 0.3.0 */
export interface ObserverOptions {
  /** The port (default 0: a free one, read from `observer.url`). */
  readonly port?: number | undefined
  /** The address to bind (default `127.0.0.1`). Any other than a loopback address needs `token`. */
  readonly host?: string | undefined
  /**
   * A secret every request must carry, as `?token=` or `Authorization: Bearer`; a request without
   * it gets 401. Required when `host` is not a loopback address.
   */
  readonly token?: string | undefined
  /** How often an open page gets a snapshot, in ms (default 1000). */
  readonly intervalMs?: number | undefined
  /** Pages open at once (default 32); one more gets 503. */
  readonly maxClients?: number | undefined
}

/** A running observer (see `startObserver`). @since 0.3.0 */
export interface Observer extends AsyncDisposable {
  /** The page's address, with the token when there is one: open it in a browser. */
  readonly url: string
  readonly port: number
  /** A snapshot now, as `/snapshot.json` gives it. */
  snapshot(query?: SnapshotQuery): ObserverSnapshot
  /** Pages connected now. */
  clients(): number
  /** Stops serving and releases everything it holds. Idempotent. */
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Serves the observer page, `/snapshot.json`, `/events` and `/metrics`.
 * **Throws** at the call: `TypeError`/`RangeError` for a bad option, or a non-loopback `host`
 * without a `token`.
 * @example
 * const observer = await startObserver({ port: 9464 })
 * console.log(`observer at ${observer.url}`) // http://127.0.0.1:9464/
 * // ... Prometheus scrapes http://127.0.0.1:9464/metrics
 * await observer.close()
 * @since 0.3.0
 */
export function startObserver(opts?: ObserverOptions): Promise<Observer> {
  const o = checkOptions(opts)
  const port = o?.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Expected \`port\` to be an integer from 0 to 65535, got ${String(port)}`)
  }
  const host = o?.host ?? '127.0.0.1'
  if (typeof host !== 'string' || host === '') throw typeError('host', 'an address to bind', host)
  const token = o?.token
  if (token !== undefined && (typeof token !== 'string' || token.length < 8)) {
    throw typeError('token', 'a string of at least 8 characters', token)
  }
  if (token === undefined && !LOOPBACK.has(host)) {
    throw new TypeError(`the observer binds to ${host}, beyond this machine: give it a \`token\``)
  }
  const intervalMs = checkMs('intervalMs', o?.intervalMs ?? 1000)
  if (intervalMs < 50 || intervalMs === Infinity) {
    throw new RangeError(`Expected \`intervalMs\` to be from 50 ms, got ${String(intervalMs)}`)
  }
  const maxClients = checkCount('maxClients', o?.maxClients ?? 32, 1)
  return start(host, port, token, intervalMs, maxClients)
}

async function start(
  host: string,
  port: number,
  token: string | undefined,
  intervalMs: number,
  maxClients: number,
): Promise<Observer> {
  const collector = new Collector()
  let server: ObserverServer
  try {
    server = await createObserverServer({
      host,
      port,
      token,
      intervalMs,
      maxClients,
      collect: (q) => collector.snapshot(q),
      page: observerPage,
      metrics: () => renderMetrics(collector.snapshot({ limit: 1 }, true)),
      metricsContentType: METRICS_CONTENT_TYPE,
    })
  } catch (err) {
    collector.close()
    throw err
  }
  const shown = host.includes(':') ? `[${host}]` : host
  let closed: Promise<void> | undefined
  const observer: Observer = {
    url: `http://${shown}:${String(server.port)}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`,
    port: server.port,
    snapshot: (q) => collector.snapshot(q),
    clients: () => server.clients(),
    close() {
      closed ??= server.close().finally(() => {
        collector.close()
        unobserve('observer', observer)
      })
      return closed
    },
    [Symbol.asyncDispose]() {
      return observer.close()
    },
  }
  // A coordinated shutdown (`run()`) closes it last, so it shows the shutdown while it lasts.
  observe('observer', observer)
  return observer
}
