/**
 * The options of `joinCluster`, checked at the call: a bad option throws before any connection is
 * made.
 *
 * @module
 */
import { checkMs, checkOptions, describe, typeError } from '../errors.js'
import { type Codec, jsonCodec } from './codec.js'
import { isToken } from './subjects.js'
import type { TypeRegistry } from './type-registry.js'

/**
 * What `joinCluster` passes to the NATS client's `connect`, as it is. The common options are
 * typed here, so that verdant's typings do not depend on the client's; any other option of the
 * client is passed through too.
 * @since 0.3.0
 */
export interface NatsConnectOptions {
  /** Server URLs; wins over `ClusterOptions.servers`. */
  readonly servers?: string | readonly string[] | undefined
  /** The connection's name, as the server shows it (default `verdant:<system>:<node id>`). */
  readonly name?: string | undefined
  readonly user?: string | undefined
  readonly pass?: string | undefined
  readonly token?: string | undefined
  /** An authenticator of the NATS client (`nkeyAuthenticator`, `credsAuthenticator`, ...). */
  readonly authenticator?: unknown
  /** TLS settings of the NATS client (`caFile`, `certFile`, `keyFile`, ...). */
  readonly tls?: Readonly<Record<string, unknown>> | null | undefined
  readonly reconnect?: boolean | undefined
  /** Reconnect attempts per server; -1 for ever (the client's default is 10). */
  readonly maxReconnectAttempts?: number | undefined
  readonly reconnectTimeWait?: number | undefined
  /** Connect timeout in ms. */
  readonly timeout?: number | undefined
  /** Keep the given server order instead of shuffling it. */
  readonly noRandomize?: boolean | undefined
  readonly pingInterval?: number | undefined
  /** Any other option of the client's `connect`. */
  readonly [option: string]: unknown
}

/** Options of `joinCluster`. @since 0.3.0 */
export interface ClusterOptions {
  /** NATS server URLs (default `nats://127.0.0.1:4222`). Ignored when `nats.servers` is given. */
  readonly servers?: string | readonly string[] | undefined
  /**
   * This node's id: letters, digits, `-` and `_`, at most 64 (default: a random one per process).
   * A node that restarts with the same id is the same member come back.
   */
  readonly nodeId?: string | undefined
  /**
   * Passed to the NATS client's `connect` as it is: credentials (`token`, `user`/`pass`,
   * `authenticator` for nkeys or creds), `tls`, `name`, reconnect settings. `servers` here wins
   * over the option above.
   */
  readonly nats?: NatsConnectOptions | undefined
  /** How often this node sends its heartbeat (default 1000 ms). */
  readonly heartbeatMs?: number | undefined
  /**
   * How long a node may be silent before it is `down`: its actors' watchers get `Terminated` with
   * `node-down` (default 5000 ms). Never less than twice `heartbeatMs`.
   */
  readonly failureWindowMs?: number | undefined
  /** The timeout of a remote `ask` that sets none (default 5000 ms): a remote ask always has one. */
  readonly askTimeoutMs?: number | undefined
  /** How message bodies are written (default: `jsonCodec({ types })`). */
  readonly codec?: Codec | undefined
  /** User classes the default codec may send, each under a stable tag. */
  readonly types?: TypeRegistry | undefined
  /**
   * A check per message type (the `type` field, else the class name): a message from the network
   * that fails it goes to dead letters (`invalid`), and an ask for it fails, instead of reaching
   * the actor.
   */
  readonly validate?: Readonly<Record<string, (message: unknown) => boolean>> | undefined
}

/** The options, checked and defaulted. @internal */
export interface ClusterSettings {
  readonly nats: NatsConnectOptions
  readonly nodeId: string
  readonly heartbeatMs: number
  readonly failureWindowMs: number
  readonly askTimeoutMs: number
  readonly codec: Codec
  readonly validate: ReadonlyMap<string, (message: unknown) => boolean>
}

/** Checks `opts` and fills in the defaults. @internal */
export function clusterSettings(opts: ClusterOptions | undefined): ClusterSettings {
  checkOptions(opts)
  const servers = opts?.servers ?? 'nats://127.0.0.1:4222'
  if (
    typeof servers !== 'string' &&
    !(Array.isArray(servers) && servers.every((s) => typeof s === 'string'))
  ) {
    throw typeError('servers', 'a URL string or an array of them', servers)
  }
  const nats = checkOptions(opts?.nats, 'nats') ?? {}
  const nodeId = opts?.nodeId ?? randomId()
  if (typeof nodeId !== 'string' || !isToken(nodeId)) {
    throw new TypeError(`Expected \`nodeId\` to be 1 to 64 letters, digits, - or _, got ${describe(nodeId)}`)
  }
  const heartbeatMs = positive('heartbeatMs', opts?.heartbeatMs ?? 1000)
  const failureWindowMs = positive('failureWindowMs', opts?.failureWindowMs ?? 5000)
  if (failureWindowMs < 2 * heartbeatMs) {
    throw new RangeError(
      `Expected \`failureWindowMs\` (${String(failureWindowMs)}) to be at least twice \`heartbeatMs\` (${String(heartbeatMs)})`,
    )
  }
  const askTimeoutMs = positive('askTimeoutMs', opts?.askTimeoutMs ?? 5000)
  const codec = codecOf(opts)
  const validate = new Map<string, (message: unknown) => boolean>()
  for (const [type, check] of Object.entries(checkOptions(opts?.validate, 'validate') ?? {})) {
    if (typeof check !== 'function') throw typeError(`validate.${type}`, 'a function', check)
    validate.set(type, check)
  }
  return {
    nats: { servers: servers, ...nats },
    nodeId,
    heartbeatMs,
    failureWindowMs,
    askTimeoutMs,
    codec,
    validate,
  }
}

/** A finite duration over 0. */
/** The `codec` option, checked, or the default codec of the `types` option. @internal */
export function codecOf(
  opts: { readonly codec?: Codec | undefined; readonly types?: TypeRegistry | undefined } | undefined,
): Codec {
  const codec = opts?.codec ?? jsonCodec(opts?.types === undefined ? {} : { types: opts.types })
  if (
    typeof codec !== 'object' ||
    codec === null ||
    typeof codec.encode !== 'function' ||
    typeof codec.decode !== 'function' ||
    typeof codec.id !== 'string'
  ) {
    throw typeError('codec', 'a codec ({ id, encode, decode })', codec)
  }
  return codec
}

/** A duration option that must be finite and over 0. @internal */
export function positive(name: string, ms: unknown): number {
  const v = checkMs(name, ms)
  if (v === 0 || v === Infinity)
    throw new RangeError(`Expected \`${name}\` to be finite and over 0, got ${String(v)}`)
  return v
}

function randomId(): string {
  return `n${randomToken(9)}`
}

/** `bytes` random bytes as base64url: letters, digits, `-` and `_`, fit for a subject token. @internal */
export function randomToken(bytes: number): string {
  const b = new Uint8Array(bytes)
  crypto.getRandomValues(b)
  return Buffer.from(b).toString('base64url')
}
