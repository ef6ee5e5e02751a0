// The rule of docs/design.md, "State reads: getters and methods": a read that takes no argument,
// cannot throw, cannot wait and gives what the object holds now is a getter; anything that can
// throw, waits, takes an argument or builds a fresh snapshot is a method. Checked by `tsc`.
import { describe, expectTypeOf, it } from 'vitest'
import {
  AsyncResult,
  Barrier,
  BoundedSemaphore,
  Channel,
  Condition,
  Event,
  Future,
  JoinableQueue,
  Lock,
  Pool,
  Queue,
  Semaphore,
  spawn,
  type FutureState,
  type JobFuture,
  type Permit,
  type Task,
} from 'verdant'

describe('state reads: getters and methods', () => {
  it('Future, Task, JobFuture, AsyncResult: state is read from getters; result() is a method', async () => {
    const check = (f: Future<number>): void => {
      expectTypeOf(f.done).toEqualTypeOf<boolean>()
      expectTypeOf(f.cancelled).toEqualTypeOf<boolean>()
      expectTypeOf(f.ready).toEqualTypeOf<boolean>()
      expectTypeOf(f.successful).toEqualTypeOf<boolean>()
      expectTypeOf(f.state).toEqualTypeOf<FutureState>()
      expectTypeOf(f.value).toEqualTypeOf<number | undefined>()
      expectTypeOf(f.exception).toEqualTypeOf<unknown>()
      // It throws while pending and for a failure, so it is a call.
      expectTypeOf<Future<number>['result']>().toBeFunction()
      expectTypeOf<Future<number>['result']>().returns.toEqualTypeOf<number>()
    }
    const f = new Future<number>()
    check(f)
    check(new AsyncResult<number>())
    const task = spawn(async () => 1)
    check(task)
    expectTypeOf<Task<number>['name']>().toEqualTypeOf<string>()
    expectTypeOf<Task<number>['started']>().toEqualTypeOf<boolean>()
    expectTypeOf<JobFuture<number>['done']>().toEqualTypeOf<boolean>()
    expectTypeOf<JobFuture<number>['cancelled']>().toEqualTypeOf<boolean>()
    expectTypeOf<JobFuture<number>['result']>().toBeFunction()
    await task
  })

  it('Event, locks, Condition, Barrier, Permit: flags and counts are getters', async () => {
    const ev = new Event()
    expectTypeOf(ev.isSet).toEqualTypeOf<boolean>()
    expectTypeOf<Event['stats']>().toBeFunction()
    for (const lock of [new Lock(), new Semaphore(2), new BoundedSemaphore(2)]) {
      expectTypeOf(lock.locked).toEqualTypeOf<boolean>()
      expectTypeOf(lock.value).toEqualTypeOf<number>()
    }
    const cond = new Condition()
    expectTypeOf(cond.locked).toEqualTypeOf<boolean>()
    expectTypeOf<Condition['release']>().toBeFunction()
    const barrier = new Barrier(2)
    expectTypeOf(barrier.broken).toEqualTypeOf<boolean>()
    expectTypeOf(barrier.waiting).toEqualTypeOf<number>()
    expectTypeOf<Semaphore['stats']>().toBeFunction()
    expectTypeOf<Semaphore['tryAcquire']>().toBeFunction()
    expectTypeOf<Permit['held']>().toEqualTypeOf<boolean>()
  })

  it('queues: size, empty, full and isShutDown are getters; peek() throws, so it is a method', () => {
    for (const q of [new Queue<number>(), new JoinableQueue<number>(), new Channel<number>()]) {
      expectTypeOf(q.size).toEqualTypeOf<number>()
      expectTypeOf(q.empty).toEqualTypeOf<boolean>()
      expectTypeOf(q.full).toEqualTypeOf<boolean>()
      expectTypeOf(q.isShutDown).toEqualTypeOf<boolean>()
    }
    expectTypeOf<Queue<number>['peek']>().toBeFunction()
    expectTypeOf<Queue<number>['getNowait']>().toBeFunction()
    expectTypeOf<Queue<number>['stats']>().toBeFunction()
    expectTypeOf<JoinableQueue<number>['unfinishedTasks']>().toEqualTypeOf<number>()
  })

  it('Pool: running, pending, paused, freeCount and full are getters; stats() builds a snapshot', () => {
    expectTypeOf<Pool['running']>().toEqualTypeOf<number>()
    expectTypeOf<Pool['pending']>().toEqualTypeOf<number>()
    expectTypeOf<Pool['paused']>().toEqualTypeOf<boolean>()
    expectTypeOf<Pool['size']>().toEqualTypeOf<number>()
    expectTypeOf<Pool['freeCount']>().toEqualTypeOf<number>()
    expectTypeOf<Pool['full']>().toEqualTypeOf<boolean>()
    expectTypeOf<Pool['stats']>().toBeFunction()
  })

  it('Task: children() builds a new array each call, so it is a method', () => {
    expectTypeOf<Task<number>['children']>().toBeFunction()
    expectTypeOf<Task<number>['children']>().returns.toEqualTypeOf<Task<unknown>[]>()
  })
})
