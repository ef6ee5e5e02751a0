/**
 * The long-lived objects of a program that the observer shows: executors, actor systems, cluster
 * nodes and distributed executors register here when they are made and leave when they close.
 *
 * It sits at the bottom so that each of them can register without knowing the observer, and the
 * observer can find them without loading their modules (a cluster node's module loads the NATS
 * client). Objects are held weakly: one dropped without being closed is not kept alive by this.
 * Registering costs one set insertion per object made, and nothing per job or message.
 *
 * @module
 */

/** What kind of object it is: the observer reads each kind its own way. @internal */
export type ObservedKind =
  'executor' | 'actor-system' | 'cluster-executor' | 'cluster-node' | 'queue' | 'pool' | 'observer'

const live = new Map<ObservedKind, Set<WeakRef<object>>>()
const refs = new WeakMap<object, WeakRef<object>>()
/** When each was registered, on one count: a coordinated shutdown takes what its run made. */
const born = new WeakMap<object, number>()
let registered = 0

/** The registration count now: objects registered later have a larger one. @internal */
export function registrations(): number {
  return registered
}

/** The count at which `obj` was registered (0 if it never was). @internal */
export function registeredAt(obj: object): number {
  return born.get(obj) ?? 0
}

/** Registers `obj` as a live object of `kind`. @internal */
export function observe(kind: ObservedKind, obj: object): void {
  let set = live.get(kind)
  if (set === undefined) live.set(kind, (set = new Set()))
  const ref = new WeakRef(obj)
  refs.set(obj, ref)
  born.set(obj, ++registered)
  set.add(ref)
}

/** `obj` closed: it is no longer shown. @internal */
export function unobserve(kind: ObservedKind, obj: object): void {
  const ref = refs.get(obj)
  if (ref === undefined) return
  refs.delete(obj)
  live.get(kind)?.delete(ref)
}

/** The live objects of `kind`, in the order they were made. @internal */
export function observed<T extends object>(kind: ObservedKind): T[] {
  const set = live.get(kind)
  if (set === undefined) return []
  const out: T[] = []
  for (const ref of set) {
    const obj = ref.deref()
    if (obj === undefined) set.delete(ref)
    else out.push(obj as T)
  }
  return out
}
