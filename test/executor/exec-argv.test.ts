// workerExecArgv: the parent's flags a worker starts with, as a pure function of process.execArgv.
import { describe, expect, it } from 'vitest'
import { workerExecArgv } from '../../src/executor/exec-argv.js'

describe('workerExecArgv', () => {
  it('leaves inheriting to Node when no flag must be dropped', () => {
    for (const kind of ['thread', 'process'] as const) {
      expect(workerExecArgv([], kind)).toBeUndefined()
      expect(
        workerExecArgv(['--import', 'tsx', '--max-old-space-size=100', '--no-warnings'], kind),
      ).toBeUndefined()
    }
  })

  it('drops eval, print and input-type, with their values in either form', () => {
    const parent = [
      '--input-type',
      'module',
      '-e',
      'code',
      '--eval=code',
      '-p',
      'code',
      '--print',
      'x',
      '-pe',
      'y',
    ]
    expect(workerExecArgv(parent, 'thread')).toEqual([])
    expect(workerExecArgv(parent, 'process')).toEqual([])
    expect(workerExecArgv(['--input-type=commonjs'], 'process')).toEqual([])
  })

  it('drops the other entry-only flags: watch, test, check, interactive', () => {
    const parent = [
      '--watch',
      '--watch-path',
      'src',
      '--test',
      '--test-name-pattern',
      'x',
      '-c',
      '-i',
      '--trace-warnings',
    ]
    expect(workerExecArgv(parent, 'thread')).toEqual(['--trace-warnings'])
  })

  it('keeps loaders and preloads, with their values, in order', () => {
    const loaders = [
      '-r',
      'a.cjs',
      '--require=b.cjs',
      '--import',
      'c.mjs',
      '--loader',
      'd.mjs',
      '--experimental-loader=e.mjs',
    ]
    const parent = [...loaders, '-C', 'dev', '--input-type=module']
    expect(workerExecArgv(parent, 'thread')).toEqual([...loaders, '-C', 'dev'])
    expect(workerExecArgv(parent, 'process')).toEqual([...loaders, '-C', 'dev'])
  })

  it('a value that looks like a flag stays with its flag', () => {
    expect(workerExecArgv(['-e', '--inspect', '--import', '-e'], 'process')).toEqual(['--import', '-e'])
  })

  it('a thread gets no inspector flag: the parent inspector reaches threads already', () => {
    const parent = [
      '--inspect=9229',
      '--inspect-brk',
      '--inspect-wait=1.2.3.4:5',
      '--inspect-port',
      '9230',
      '--debug-port=1',
      '--inspect-publish-uid=http',
    ]
    expect(workerExecArgv(parent, 'thread')).toEqual([])
  })

  it('a child gets --inspect on port 0 of the same host, never the parent port and never a break', () => {
    expect(workerExecArgv(['--inspect'], 'process')).toEqual(['--inspect=0'])
    expect(workerExecArgv(['--inspect-brk=9229'], 'process')).toEqual(['--inspect=0'])
    expect(workerExecArgv(['--inspect-wait=0.0.0.0:9229'], 'process')).toEqual(['--inspect=0.0.0.0:0'])
    expect(workerExecArgv(['--inspect=[::1]:9229'], 'process')).toEqual(['--inspect=[::1]:0'])
    expect(workerExecArgv(['--inspect=localhost'], 'process')).toEqual(['--inspect=localhost:0'])
    expect(
      workerExecArgv(['--inspect-port=9230', '--inspect', '--inspect-publish-uid=http'], 'process'),
    ).toEqual(['--inspect=0', '--inspect-publish-uid=http'])
    // A port alone does not start the inspector.
    expect(workerExecArgv(['--inspect-port', '9230'], 'process')).toEqual([])
  })

  it('when flags are dropped, a thread also loses the process-wide ones Node refuses in a thread', () => {
    const parent = [
      '--max-old-space-size=100',
      '--stack_size=900',
      '--title',
      'app',
      '--expose-gc',
      '--no-warnings',
      '-e',
      'x',
    ]
    expect(workerExecArgv(parent, 'thread')).toEqual(['--no-warnings'])
    expect(workerExecArgv(parent, 'process')).toEqual([
      '--max-old-space-size=100',
      '--stack_size=900',
      '--title',
      'app',
      '--expose-gc',
      '--no-warnings',
    ])
  })
})
