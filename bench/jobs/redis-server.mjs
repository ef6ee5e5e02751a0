// A redis-server for the BullMQ column of bench/jobs.bench.mjs: on 127.0.0.1, on a port free a
// moment before it starts (redis-server cannot pick one itself and report it), no persistence, its
// working folder a temp folder of its own; stopped and the folder removed by `stop()`, and both
// done if the bench process exits without it. Modelled on bench/remote/nats-server.mjs.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

function findBin() {
  const given = process.env.REDIS_SERVER_BIN
  if (given) return existsSync(given) ? given : undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server')
  }
  return undefined
}

export function redisServerVersion() {
  const bin = findBin()
  if (bin === undefined) return 'not installed'
  return /v=(\d+\.\d+\.\d+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '?'
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Resolves true once a PING on `port` gets its PONG (the server has loaded and accepts commands). */
function pings(port) {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port })
    let got = ''
    const done = (ok) => {
      s.destroy()
      resolve(ok)
    }
    s.setTimeout(500, () => done(false))
    s.once('error', () => done(false))
    s.once('connect', () => s.write('PING\r\n'))
    s.on('data', (b) => {
      got += b.toString('latin1')
      if (got.includes('\r\n')) done(got.startsWith('+PONG'))
    })
  })
}

/**
 * Starts redis-server and resolves once it answers PING. `log()` returns what it wrote, `stop()`
 * ends it. Retries on another port if the one picked was taken in between.
 */
export async function startRedisServer() {
  const bin = findBin()
  if (bin === undefined) throw new Error('redis-server is not on the PATH (or REDIS_SERVER_BIN)')
  const dir = mkdtempSync(join(tmpdir(), 'verdant-bench-redis-'))
  let child
  const killOnExit = () => {
    child?.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  const unhook = () => {
    process.removeListener('exit', killOnExit)
  }
  process.once('exit', killOnExit)
  try {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort()
      // BullMQ wants noeviction; the rest keeps every file in `dir` and nothing on disk at all.
      child = spawn(
        bin,
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxmemory-policy',
          'noeviction',
          '--daemonize',
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let log = ''
      for (const s of [child.stdout, child.stderr]) {
        s.setEncoding('utf8')
        s.on('data', (d) => {
          log += d
        })
      }
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const deadline = Date.now() + 10_000
      let up = false
      while (!up) {
        if (child.exitCode !== null || child.signalCode !== null) break
        if (Date.now() > deadline) {
          child.kill('SIGKILL')
          await exited
          throw new Error(`redis-server did not start within 10 s:\n${log}`)
        }
        up = await pings(port)
        if (!up) await new Promise((r) => setTimeout(r, 20))
      }
      if (!up) {
        await exited
        if (attempt < 3 && /Address already in use/i.test(log)) continue
        throw new Error(`redis-server exited:\n${log}`)
      }
      const running = child
      return {
        url: `redis://127.0.0.1:${port}`,
        host: '127.0.0.1',
        port,
        pid: running.pid,
        log: () => log,
        async stop() {
          if (running.exitCode === null && running.signalCode === null) {
            running.kill('SIGTERM')
            const force = setTimeout(() => running.kill('SIGKILL'), 3000)
            await exited
            clearTimeout(force)
          }
          unhook()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    }
  } catch (err) {
    killOnExit()
    unhook()
    throw err
  }
}
