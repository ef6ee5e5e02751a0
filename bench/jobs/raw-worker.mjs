// A raw JetStream worker for bench/jobs.bench.mjs, in a process of its own: pulls JSON jobs
// `{ id, a: [a, b], to }` from the durable pull consumer `consumer` of `stream` with
// `consumer.consume({ max_messages })`, computes a + b, publishes `{ id, v }` to `to` and acks.
// Driven by its parent over IPC. argv: server URL, stream, consumer, max_messages.
import { jetstream } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'

const [url, stream, consumerName, maxArg] = process.argv.slice(2)
const nc = await connect({ servers: url, name: `bench-raw-worker-${process.pid}` })
const consumer = await jetstream(nc).consumers.get(stream, consumerName)
const messages = await consumer.consume({ max_messages: Number(maxArg ?? 8) })
const loop = (async () => {
  for await (const m of messages) {
    const job = m.json()
    nc.publish(job.to, JSON.stringify({ id: job.id, v: job.a[0] + job.a[1] }))
    m.ack()
  }
})()

process.on('message', async (m) => {
  if (m.cmd === 'gc') globalThis.gc?.()
  else if (m.cmd === 'stop') {
    await messages.close()
    await loop
    await nc.drain()
  }
  process.send({ id: m.id })
  if (m.cmd === 'stop') setImmediate(() => process.disconnect())
})
process.send({ ready: true })
