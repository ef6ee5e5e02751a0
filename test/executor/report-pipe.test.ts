// The parent's reading of a child's report pipe: records and messages come out whole and in order
// however the stream is cut into chunks.
import { serialize } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { ReportReader } from '../../src/executor/report-pipe.js'

function started(id: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32LE(id, 0)
  return b
}

function message(msg: unknown[]): Buffer {
  const body = serialize(msg)
  const head = Buffer.alloc(8)
  head.writeInt32LE(body.length, 4)
  return Buffer.concat([head, body])
}

/** Feeds `stream` in chunks of `size` bytes; returns what was read, with the started id after each message. */
function read(stream: Buffer, size: number): { events: unknown[]; last: number } {
  const events: unknown[] = []
  const reader = new ReportReader((msg) => {
    events.push({ msg, started: reader.started })
  })
  for (let at = 0; at < stream.length; at += size) reader.push(stream.subarray(at, at + size))
  return { events, last: reader.started }
}

describe('ReportReader', () => {
  const stream = Buffer.concat([
    started(1),
    message([11, 1, 'one', 5]),
    started(2),
    started(3),
    message([11, 2, { big: 'x'.repeat(70_000) }, 7, 3, new Uint8Array([1, 2, 3]), 9]),
    started(0x7fffffff),
    message([]),
  ])
  const whole = read(stream, stream.length)

  it('reads records and messages in order', () => {
    expect(whole.last).toBe(0x7fffffff)
    expect(whole.events).toHaveLength(3)
    expect(whole.events.map((e) => (e as { started: number }).started)).toEqual([1, 3, 0x7fffffff])
    expect((whole.events[0] as { msg: unknown }).msg).toEqual([11, 1, 'one', 5])
  })

  it.each([1, 3, 4, 5, 7, 8, 9, 4096, 65_536])('gives the same in chunks of %i bytes', (size) => {
    expect(read(stream, size)).toEqual(whole)
  })
})
