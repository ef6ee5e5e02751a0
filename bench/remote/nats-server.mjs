// A nats-server for the remote benchmarks: on 127.0.0.1, on a port it picks itself (`port: -1`,
// read back from `ports_file_dir`), its config in a temp folder of its own; stopped and the folder
// removed by `stop()`, and both done if the bench process exits without it. Same approach as
// test/helpers/nats-server.ts, which bench code does not import (it is TypeScript).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

function findBin() {
  const given = process.env.NATS_SERVER_BIN
  if (given) return existsSync(given) ? given : undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server')
  }
  return undefined
}

export function natsServerVersion() {
  const bin = findBin()
  if (bin === undefined) return 'not installed'
  return /v?(\d+\.\d+\.\d+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '?'
}

/**
 * Starts nats-server and resolves once it accepts clients. `log()` returns what it wrote to
 * stderr (slow-consumer notices among it), `stop()` ends it. With `jetstream`, JetStream is on,
 * its store in the server's temp folder.
 */
export async function startNatsServer({ jetstream = false } = {}) {
  const bin = findBin()
  if (bin === undefined) throw new Error('nats-server is not on the PATH (or NATS_SERVER_BIN)')
  const dir = mkdtempSync(join(tmpdir(), 'verdant-bench-nats-'))
  const conf = join(dir, 'server.conf')
  const js = jetstream ? `jetstream { store_dir: ${JSON.stringify(join(dir, 'jetstream'))} }\n` : ''
  writeFileSync(conf, `host: 127.0.0.1\nport: -1\nports_file_dir: ${JSON.stringify(dir)}\n${js}`)
  const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (s) => {
    log += s
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const killOnExit = () => {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', killOnExit)
  const deadline = Date.now() + 10_000
  let port
  for (;;) {
    const file = join(dir, `nats-server_${child.pid}.ports`)
    if (existsSync(file) && /Server is ready/.test(log)) {
      try {
        const url = JSON.parse(readFileSync(file, 'utf8')).nats[0]
        port = Number(new URL(url.replace(/^nats:/, 'http:')).port)
        break
      } catch {
        // being written
      }
    }
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nats-server exited:\n${log}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`nats-server did not start within 10 s:\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const force = setTimeout(() => child.kill('SIGKILL'), 3000)
        await exited
        clearTimeout(force)
      }
      process.removeListener('exit', killOnExit)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
