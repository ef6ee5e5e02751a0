import { afterEach, describe, expect, it, vi } from 'vitest'
import { ActorSystem, behavior, consoleSink, receive } from 'verdant'
import { newSystem, settle } from './helpers.js'

/** Captures what `consoleSink` writes to stderr. */
function captureStderr(): string[] {
  const lines: string[] = []
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  })
  return lines
}

/** How many times `needle` occurs in `text`. */
const count = (text: string, needle: string): number => text.split(needle).length - 1

describe('conformance: actor failure logs', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('a failing actor logs one record whose message leaves the error to its error field', async () => {
    const { system, logs } = newSystem({ logLevel: 'warn' })
    const boom = new Error('boom')
    const x = system.spawn(
      receive<string>(() => {
        throw boom
      }),
      { name: 'x' },
    )
    x.tell('go')
    try {
      await settle(system)
    } finally {
      await system.shutdown()
    }
    expect(logs).toEqual([{ level: 'warn', path: '/user/x', message: 'failed', error: boom }])
  })

  it('the console line names the error once, followed by its stack', async () => {
    const lines = captureStderr()
    const system = new ActorSystem({ name: 'console', log: consoleSink })
    const boom = new Error('boom')
    const x = system.spawn(
      receive<string>(() => {
        throw boom
      }),
      { name: 'x' },
    )
    x.tell('go')
    try {
      await settle(system)
    } finally {
      await system.shutdown()
    }
    expect(lines).toEqual([`[warn] /user/x failed: ${String(boom.stack)}\n`])
    expect(lines[0]).toMatch(/^\[warn\] \/user\/x failed: Error: boom\n {4}at /)
    expect(count(lines[0] ?? '', 'boom')).toBe(1)
  })

  it('a thrown non-error is described once; a hook failure and an escalation name theirs once too', async () => {
    const lines = captureStderr()
    const system = new ActorSystem({ name: 'console', log: consoleSink, onEscalation: 'stop' })
    const x = system.spawn(
      behavior<string>(() => ({
        receive: () => {
          throw 'oops'
        },
        postStop: () => {
          throw new RangeError('late')
        },
      })),
      { name: 'x', supervision: { decide: () => 'escalate' } },
    )
    x.tell('go')
    try {
      await settle(system)
      await system.stop(x)
    } finally {
      await system.shutdown()
    }
    expect(lines.slice(0, 2)).toEqual([
      '[warn] /user/x failed: "oops"\n',
      '[error] /user/x failure escalated past the guardian: "oops"\n',
    ])
    expect(lines).toHaveLength(3)
    expect(lines[2]).toMatch(/^\[error\] \/user\/x postStop threw: RangeError: late\n {4}at /)
    expect(count(lines[2] ?? '', 'late')).toBe(1)
  })
})
