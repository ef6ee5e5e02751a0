// Bad input to `verdant/remote`: a typed error at the call, naming what was wrong, and nothing
// sent or half-done.
import { expect, it } from 'vitest'
import { ActorSystem, receive } from 'verdant'
import { joinCluster, jsonCodec, TypeRegistry } from 'verdant/remote'
import { describeNats, startNode, useNatsServer } from './fixture.js'

it('joinCluster refuses bad options at the call, before connecting', () => {
  const system = new ActorSystem({ name: 'bad-input' })
  try {
    const rows: [unknown, RegExp, ErrorConstructor][] = [
      [{ servers: 5 }, /servers/, TypeError],
      [{ nodeId: '' }, /nodeId/, TypeError],
      [{ nodeId: 'a b' }, /nodeId/, TypeError],
      [{ nodeId: 'x'.repeat(65) }, /nodeId/, TypeError],
      [{ heartbeatMs: 0 }, /heartbeatMs/, RangeError],
      [{ heartbeatMs: Infinity }, /heartbeatMs/, RangeError],
      [{ failureWindowMs: 'soon' }, /failureWindowMs/, RangeError], // as every checkMs does
      [{ askTimeoutMs: NaN }, /askTimeoutMs/, RangeError],
      [{ codec: {} }, /codec/, TypeError],
      [{ validate: { echo: 'yes' } }, /validate\.echo/, TypeError],
      [{ nats: 'x' }, /nats/, TypeError],
      ['opts', /opts/, TypeError],
    ]
    for (const [opts, message, type] of rows) {
      expect(() => joinCluster(system, opts as never), JSON.stringify(opts)).toThrow(type)
      expect(() => joinCluster(system, opts as never), JSON.stringify(opts)).toThrow(message)
    }
    expect(() => joinCluster(undefined as never)).toThrow(/system/)
  } finally {
    void system.shutdown()
  }
})

it('jsonCodec and TypeRegistry refuse bad input at the call', () => {
  expect(() => jsonCodec(5 as never)).toThrow(TypeError)
  expect(() => jsonCodec({ maxDepth: 0 })).toThrow(RangeError)
  expect(() => jsonCodec({ types: {} as never })).toThrow(/types/)
  const types = new TypeRegistry()
  class Point {
    x = 0
  }
  expect(() => types.register('', Point)).toThrow(/tag/)
  expect(() => types.register('$mine', Point)).toThrow(/reserved|\$/)
  expect(() => types.register('ok', 5 as never)).toThrow(TypeError)
})

describeNats('a joined node', () => {
  const server = useNatsServer()

  it('refuses bad names, refs, paths and options at the call', async () => {
    const { node, system } = await startNode(server().url, { nodeId: 'bad' })
    const local = system.spawn(receive<string>(() => undefined))
    const remote = node.refAt('other', '/user/x')
    await expect(node.register('', local)).rejects.toThrow(/name/)
    await expect(node.register('x', remote)).rejects.toThrow(/ref/)
    await expect(node.register('x', {} as never)).rejects.toThrow(/ref/)
    await expect(node.serve('svc', remote)).rejects.toThrow(/ref/)
    await expect(node.lookup('')).rejects.toThrow(/name/)
    await expect(node.lookup('x', { timeout: -1 })).rejects.toThrow(/timeout/)
    expect(() => node.service('')).toThrow(/name/)
    expect(() => node.refAt('', '/user/x')).toThrow(/node/)
    expect(() => node.refAt('n', 'user/x')).toThrow(/path/)
    expect(() =>
      node.provide(
        '',
        receive(() => undefined),
      ),
    ).toThrow(/name/)
    expect(() => node.provide('p', 5 as never)).toThrow(/def/)
    expect(() => node.remoteChild('')).toThrow(/name/)
    expect(() => node.remoteChild('p', { placement: 5 as never })).toThrow(/placement/)
    expect(() => node.remoteChild('p', { spawnTimeoutMs: -5 })).toThrow(/spawnTimeoutMs/)
    expect(() => node.subscribe(5 as never)).toThrow(/listener/)
    expect(() => node.events({ signal: 5 as never })).toThrow(/signal/)
    expect(() => remote.ask(5 as never)).toThrow(/factory/)
    expect(() => remote.ask(() => 'x', { timeout: Infinity })).toThrow(/finite/)
    expect(() => remote.ask(() => 'x', { timeout: -1 })).toThrow(/timeout/)
    expect(() => remote.tell(() => undefined)).toThrow(/msg|function/)
    expect(() => node.leave({ timeoutMs: -1 })).toThrow(/timeoutMs/)
    // Nothing went out: no ask waits, nothing is held.
    expect(node._held).toEqual({ asks: 0, watches: 0, offers: 0, held: 0 })
  })
})
