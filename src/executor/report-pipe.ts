/**
 * The report pipe of a child-process worker: everything the child tells its parent, in one ordered
 * stream written synchronously.
 *
 * The IPC channel of `child_process` queues a message that the socket cannot take at once and
 * writes it later, so what a child sends just before `process.exit()` can be lost (a large result,
 * measured, is cut off). Results sent and then lost would leave the parent to guess which jobs ran.
 * On this pipe a write returns only once the bytes are in the kernel, where they outlive the
 * process: whatever the child wrote before it died, however it died, reaches the parent.
 *
 * Two kinds of record, little-endian:
 * - `int32 id` (not 0): the child starts job `id`, so every job sent before it has finished;
 * - `int32 0, int32 length, bytes`: a message, in V8's serialization.
 *
 * @module
 */
import { writeSync, writevSync } from 'node:fs'
import { deserialize, serialize } from 'node:v8'

/** The child's file descriptor of the pipe: after stdin, stdout, stderr and the IPC channel. @internal */
export const REPORT_FD = 4

/** The child's end. @internal */
export class ReportWriter {
  readonly #word = Buffer.alloc(4)
  readonly #header = Buffer.alloc(8)

  /** Job `id` starts now. */
  started(id: number): void {
    this.#word.writeInt32LE(id, 0)
    writeAll(this.#word)
  }

  /** Throws, writing nothing, when `msg` cannot be serialized. */
  message(msg: unknown[]): void {
    const body = serialize(msg)
    this.#header.writeInt32LE(body.length, 4)
    const n = writevSync(REPORT_FD, [this.#header, body])
    // A blocking write is whole unless a signal cut it short.
    if (n < body.length + 8) {
      if (n < 8) {
        writeAll(this.#header.subarray(n))
        writeAll(body)
      } else writeAll(body.subarray(n - 8))
    }
  }
}

function writeAll(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(REPORT_FD, bytes, at)
}

/** The parent's end: feed it the pipe's chunks. @internal */
export class ReportReader {
  /** The job the child started last (0: none yet). */
  started = 0
  readonly #onMessage: (msg: unknown[]) => void
  #chunks: Buffer[] = []
  #have = 0
  /** Bytes needed before anything more can be read: a chunk smaller than that is only kept. */
  #need = 4

  constructor(onMessage: (msg: unknown[]) => void) {
    this.#onMessage = onMessage
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#have += chunk.length
    if (this.#have < this.#need) return
    // Joined once a record is whole, not per chunk: a large message arrives in many chunks.
    const buf = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#have)
    let at = 0
    let need = 4
    while (buf.length - at >= need) {
      const head = buf.readInt32LE(at)
      if (head !== 0) {
        this.started = head
        at += 4
        continue
      }
      if (buf.length - at < 8) {
        need = 8
        break
      }
      const length = buf.readInt32LE(at + 4)
      if (buf.length - at < 8 + length) {
        need = 8 + length
        break
      }
      const msg = deserialize(buf.subarray(at + 8, at + 8 + length)) as unknown[]
      at += 8 + length
      need = 4
      this.#onMessage(msg)
    }
    const rest = buf.subarray(at)
    this.#chunks = rest.length === 0 ? [] : [rest]
    this.#have = rest.length
    this.#need = need
  }
}
