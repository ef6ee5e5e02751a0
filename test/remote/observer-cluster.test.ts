// The observer shows the cluster nodes of the process: each node's members and how long ago each
// was last heard, without `verdant/observer` loading the NATS client itself.
import { expect, it } from 'vitest'
import { startObserver } from 'verdant/observer'
import { describeNats, seen, startNode, useNatsServer } from './fixture.js'

describeNats('the observer and a cluster', () => {
  const server = useNatsServer()

  it('lists each node of this process with its members and their heartbeat ages', async () => {
    const a = await startNode(server().url, { nodeId: 'obs-a', name: 'observed-cluster' })
    const b = await startNode(server().url, { nodeId: 'obs-b', name: 'observed-cluster' })
    await seen(a.node, 'obs-b')
    const observer = await startObserver()
    try {
      const mine = observer.snapshot().clusters.find((c) => c.node === 'obs-a')
      expect(mine?.name).toBe('observed-cluster')
      expect(mine?.members.map((m) => m.id).sort()).toEqual(['obs-a', 'obs-b'])
      const other = mine?.members.find((m) => m.id === 'obs-b')
      expect(other?.status).toBe('up')
      // Heartbeats every 100 ms: heard within the last few.
      expect(other?.heartbeatAgeMs).toBeLessThan(1000)
      expect(mine?.members.find((m) => m.id === 'obs-a')?.heartbeatAgeMs).toBe(0)
      // A node that left is no longer shown.
      await b.node.leave()
      expect(observer.snapshot().clusters.some((c) => c.node === 'obs-b')).toBe(false)
    } finally {
      await observer.close()
    }
  })
})
