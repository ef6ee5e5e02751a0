import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RingBuffer } from '../../../src/queue/ring-buffer.js'

describe('RingBuffer', () => {
  it('behaves like an array used as a FIFO, across growth and wrap-around', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('shift'), fc.nat(1000)), {
          maxLength: 500,
        }),
        (ops) => {
          const ring = new RingBuffer<number>()
          const model: number[] = []
          for (const op of ops) {
            if (op === 'shift') expect(ring.shift()).toBe(model.shift())
            else {
              ring.push(op)
              model.push(op)
            }
            expect(ring.size).toBe(model.length)
            expect(ring.peekFirst()).toBe(model[0])
          }
          expect(ring.drain()).toEqual(model)
          expect(ring.size).toBe(0)
        },
      ),
    )
  })
})
