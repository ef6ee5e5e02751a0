// nats-server processes for the remote suites: each on ports it picks itself on 127.0.0.1, with
// its config in a temp folder of its own, stopped (and the folder removed) by the test.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** The nats-server binary: `NATS_SERVER_BIN`, else the first on the PATH; undefined if none. */
export const natsServerBin: string | undefined = findBin()

function findBin(): string | undefined {
  const given = process.env['NATS_SERVER_BIN']
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue
    const p = join(dir, 'nats-server')
    if (existsSync(p)) return p
  }
  return undefined
}

/** The server's version, e.g. `2.9.10`. */
export function natsServerVersion(): string {
  if (natsServerBin === undefined) throw new Error('nats-server is not installed')
  const out = spawnSync(natsServerBin, ['--version'], { encoding: 'utf8' }).stdout
  return /v?(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? 'unknown'
}

export interface NatsServerOptions {
  /** The client port; default: one the server picks (kept across `restart`). */
  readonly port?: number
  /** Config lines added as they are (authorization, limits...). */
  readonly config?: string
  /** JetStream on, its file storage in the server's own temp folder. */
  readonly jetstream?: boolean
  /** Join a cluster of servers: its name and the route URLs of the others. */
  readonly cluster?: { readonly name: string; readonly routes: readonly string[]; readonly port?: number }
}

export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** `nats://127.0.0.1:<cluster port>` when clustered. */
  readonly routeUrl: string | undefined
  readonly pid: number
  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. */
  stop(): Promise<void>
  /** Kills it at once (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>
  /** Starts it again on the same ports, after `stop` or `kill`. */
  restart(): Promise<void>
  /** Stops it if running and removes its folder. */
  dispose(): Promise<void>
}

/** Starts a nats-server and resolves once it accepts clients. */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  if (natsServerBin === undefined) throw new Error('nats-server is not installed')
  const bin = natsServerBin
  const dir = mkdtempSync(join(tmpdir(), 'verdant-nats-'))
  let port = opts.port ?? -1
  let clusterPort = opts.cluster?.port ?? -1
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()

  const writeConfig = (): string => {
    const lines = [`host: 127.0.0.1`, `port: ${String(port)}`, `ports_file_dir: ${JSON.stringify(dir)}`]
    if (opts.cluster !== undefined) {
      lines.push(
        `cluster {`,
        `  name: ${JSON.stringify(opts.cluster.name)}`,
        `  listen: 127.0.0.1:${String(clusterPort)}`,
        `  routes: [${opts.cluster.routes.map((r) => JSON.stringify(r)).join(', ')}]`,
        `}`,
      )
    }
    if (opts.jetstream === true)
      lines.push(`jetstream { store_dir: ${JSON.stringify(join(dir, 'jetstream'))} }`)
    if (opts.config !== undefined) lines.push(opts.config)
    const file = join(dir, 'server.conf')
    writeFileSync(file, lines.join('\n') + '\n')
    return file
  }

  const launch = async (): Promise<void> => {
    for (const f of readdirSync(dir)) if (f.endsWith('.ports')) rmSync(join(dir, f))
    const conf = writeConfig()
    const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    child = c
    let log = ''
    c.stderr?.setEncoding('utf8')
    c.stderr?.on('data', (s: string) => {
      log = (log + s).slice(-8192)
    })
    exited = new Promise((resolve) => c.once('exit', () => resolve()))
    const deadline = Date.now() + 10_000
    for (;;) {
      const ports = readPorts(dir, c.pid as number)
      if (ports !== undefined && /Server is ready/.test(log)) {
        port = portOf(ports.nats)
        if (opts.cluster !== undefined) clusterPort = portOf(ports.cluster)
        return
      }
      if (c.exitCode !== null || c.signalCode !== null)
        throw new Error(`nats-server exited at start:\n${log}`)
      if (Date.now() > deadline) {
        c.kill('SIGKILL')
        throw new Error(`nats-server did not start within 10 s:\n${log}`)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return
    c.kill(signal)
    const force = setTimeout(() => c.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(force)
  }

  // A test that timed out never reaches its `dispose()`: whatever is left goes with the test
  // process, so no server outlives the run.
  const onExit = (): void => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', onExit)

  await launch()
  return {
    get url() {
      return `nats://127.0.0.1:${String(port)}`
    },
    get port() {
      return port
    },
    get routeUrl() {
      return opts.cluster === undefined ? undefined : `nats://127.0.0.1:${String(clusterPort)}`
    },
    get pid() {
      return child?.pid as number
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    restart: launch,
    async dispose() {
      await end('SIGTERM')
      process.off('exit', onExit)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Starts `n` servers routed to each other on loopback (the first is the seed the others route
 * to, and it routes back to them once they are up).
 */
export async function startNatsCluster(n: number, config?: string): Promise<NatsServer[]> {
  const name = `verdant-${String(process.pid)}-${String(Date.now())}`
  const seed = await startNatsServer({
    cluster: { name, routes: [] },
    ...(config !== undefined && { config }),
  })
  const servers = [seed]
  for (let i = 1; i < n; i++) {
    servers.push(
      await startNatsServer({
        cluster: { name, routes: [seed.routeUrl as string] },
        ...(config !== undefined && { config }),
      }),
    )
  }
  return servers
}

interface Ports {
  readonly nats: readonly string[]
  readonly cluster?: readonly string[]
}

function readPorts(dir: string, pid: number): Ports | undefined {
  const file = join(dir, `nats-server_${String(pid)}.ports`)
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Ports
  } catch {
    return undefined // being written
  }
}

function portOf(urls: readonly string[] | undefined): number {
  const u = urls?.[0]
  if (u === undefined) throw new Error('nats-server did not report its port')
  return Number(new URL(u.replace(/^nats:/, 'http:')).port)
}
