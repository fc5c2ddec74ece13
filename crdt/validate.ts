/**
 * Permission check of one update against its author's document, before it is applied. Yjs updates are not
 * self-describing about *where* they write: an item names its parent only when it has no neighbour, otherwise it
 * inherits its neighbour's. So the check decodes the update (Y.decodeUpdate), resolves every inserted item to its
 * (root, key) through its explicit parent or its origin (in this update or already in the document), and every
 * deleted range to the items it covers, and then applies the schema's rules (schema.ts). Nothing is applied unless
 * everything passes; the result is a value, never an exception.
 *
 * Structural rules (they make every author document a deterministic function of its envelope sequence):
 * - no Skip structs, and each client's structs start exactly at the document's current clock for that client and
 *   are contiguous (no gaps, no overlap: an update never re-sends or skips history);
 * - no nested types, subdocuments, text, formats or embeds: only ContentAny values (and ContentDeleted);
 * - every origin and right origin exists (in the document or earlier in this update) and is not garbage-collected;
 * - every deleted range is non-empty and covers existing structs only.
 */
import * as Y from 'yjs'
import {
  CHUNKS_PREFIX, ROOT_ANCHOR_FINAL, ROOT_ANCHORS, ROOT_HOLDING, ROOT_INCIDENTS, ROOT_OBSERVERS, ROOT_SEALED, ROOT_SESSIONS, ROOT_STATUS, STATUS_EVIDENCE,
  checkAnchorFinality, checkAnchorRecord, checkChunk, checkHoldingRecord, checkIncident, checkObserverRecord, checkSealRecord, checkSessionRecord, checkStatus,
  isSessionId, parseObserverKey, statusName
} from './schema.js'

export type CheckVerdict = { ok: true } | { ok: false, detail: string }

interface Loc { root: string, key: string | null }
interface LocalStruct { clock: number, length: number, struct: Y.Item | Y.GC, loc?: Loc | null }

class Reject extends Error {}
const fail = (detail: string): never => { throw new Reject(detail) }

const MAP_ROOTS = new Set([ROOT_SESSIONS, ROOT_SEALED, ROOT_OBSERVERS, ROOT_STATUS, ROOT_HOLDING, ROOT_ANCHORS, ROOT_ANCHOR_FINAL])
const SET_ONCE = new Set([ROOT_SESSIONS, ROOT_SEALED, ROOT_OBSERVERS, ROOT_ANCHORS, ROOT_ANCHOR_FINAL])

/** Root type → its name, cached per document (findRootTypeKey is a linear scan). */
const rootNames = new WeakMap<Y.Doc, { size: number, names: Map<unknown, string> }>()
function rootNameOf (doc: Y.Doc, type: unknown): string | null {
  let c = rootNames.get(doc)
  if (c === undefined || c.size !== doc.share.size || !c.names.has(type)) {
    c = { size: doc.share.size, names: new Map() }
    for (const [name, t] of doc.share) c.names.set(t, name)
    rootNames.set(doc, c)
  }
  return c.names.get(type) ?? null
}

/** The live value of a map key in the document, or undefined. */
function mapGet (doc: Y.Doc, root: string, key: string): unknown {
  const t = doc.share.get(root)
  if (t === undefined) return undefined
  const item = t._map.get(key)
  return item === undefined || item.deleted ? undefined : item.content.getContent()[item.length - 1]
}
/** Whether the key was ever written in the document (live or deleted). */
function mapEverSet (doc: Y.Doc, root: string, key: string): boolean {
  return doc.share.get(root)?._map.has(key) ?? false
}
function arrayLength (doc: Y.Doc, root: string): number {
  const t = doc.share.get(root)
  return t === undefined ? 0 : t._length
}

export function checkUpdate (doc: Y.Doc, update: Uint8Array): CheckVerdict {
  try {
    check(doc, update)
    return { ok: true }
  } catch (err) {
    if (err instanceof Reject) return { ok: false, detail: err.message }
    return { ok: false, detail: `undecodable update (${(err as Error).message})` }
  }
}

function check (doc: Y.Doc, update: Uint8Array): void {
  const { structs, ds } = Y.decodeUpdate(update)
  const local = new Map<number, LocalStruct[]>()
  for (const s of structs) {
    if (s instanceof Y.Skip) fail('update has a gap (Skip struct)')
    const client = s.id.client
    let list = local.get(client)
    if (list === undefined) {
      const state = Y.getState(doc.store, client)
      if (s.id.clock !== state) fail(`client ${client} starts at clock ${s.id.clock}, the document is at ${state}`)
      list = []
      local.set(client, list)
    } else {
      const last = list[list.length - 1]
      if (s.id.clock !== last.clock + last.length) fail(`client ${client} is not contiguous at clock ${s.id.clock}`)
    }
    list.push({ clock: s.id.clock, length: s.length, struct: s as Y.Item | Y.GC })
  }

  const findLocal = (id: Y.ID): LocalStruct | undefined => {
    const list = local.get(id.client)
    if (list === undefined) return undefined
    let lo = 0; let hi = list.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const s = list[mid]
      if (id.clock < s.clock) hi = mid - 1
      else if (id.clock >= s.clock + s.length) lo = mid + 1
      else return s
    }
    return undefined
  }
  const findDoc = (id: Y.ID): Y.Item | Y.GC | undefined => {
    if (id.clock >= Y.getState(doc.store, id.client)) return undefined
    const list = doc.store.clients.get(id.client) as Array<Y.Item | Y.GC>
    return list[Y.findIndexSS(list, id.clock)]
  }
  const docLoc = (s: Y.Item | Y.GC): Loc => {
    if (s instanceof Y.GC) return fail('refers to garbage-collected content')
    const parent = s.parent as Y.AbstractType<unknown> | null
    if (parent === null || parent._item !== null) return fail('refers to content outside a root type')
    const root = rootNameOf(doc, parent)
    if (root === null) return fail('refers to an unknown root type')
    return { root, key: s.parentSub }
  }
  const resolve = (id: Y.ID, depth: number): Loc => {
    const l = findLocal(id)
    if (l !== undefined) return locOf(l, depth + 1)
    const d = findDoc(id)
    if (d === undefined) return fail(`refers to missing struct ${id.client}:${id.clock}`)
    return docLoc(d)
  }
  const locOf = (l: LocalStruct, depth: number): Loc => {
    if (l.loc !== undefined && l.loc !== null) return l.loc
    const s = l.struct
    if (s instanceof Y.GC) return fail('refers to garbage-collected content')
    if (depth > 10_000) fail('origin chain too deep')
    let loc: Loc
    if (typeof s.parent === 'string') loc = { root: s.parent, key: s.parentSub }
    else if (s.parent !== null) loc = fail('nested types are not allowed')
    else {
      const ref = s.origin ?? s.rightOrigin
      if (ref === null) return fail('item has neither parent nor origin')
      loc = { root: resolve(ref, depth).root, key: s.parentSub ?? resolve(ref, depth).key }
    }
    l.loc = loc
    return loc
  }

  // Pass 1: locate every item, check references and content kinds.
  const items: Array<{ item: Y.Item, loc: Loc }> = []
  for (const list of local.values()) {
    for (const l of list) {
      if (l.struct instanceof Y.GC) continue
      const item = l.struct
      for (const ref of [item.origin, item.rightOrigin]) {
        if (ref === null) continue
        const target = findLocal(ref) ?? findDoc(ref)
        if (target === undefined) fail(`refers to missing struct ${ref.client}:${ref.clock}`)
        if ((target as LocalStruct).struct instanceof Y.GC || target instanceof Y.GC) fail('refers to garbage-collected content')
      }
      if (!(item.content instanceof Y.ContentAny) && !(item.content instanceof Y.ContentDeleted)) {
        fail(`content of kind ${item.content.constructor.name} is not allowed (only plain values)`)
      }
      const loc = locOf(l, 0)
      // Both neighbours must be in the item's own parent (Yjs takes the parent from the origin and links the item
      // before the right origin: neighbours in two parents would splice the two lists together).
      if (item.origin !== null && item.rightOrigin !== null) {
        const r = resolve(item.rightOrigin, 0)
        if (r.root !== loc.root || r.key !== loc.key) fail('origin and right origin are in different parents')
      }
      items.push({ item, loc })
    }
  }

  // Keys written by this update, per map root (for set-once, evidence and overwrite rules).
  const setHere = new Map<string, Map<string, number>>()
  const appended = new Map<string, number>()
  for (const { item, loc } of items) {
    if (loc.key !== null) {
      let m = setHere.get(loc.root)
      if (m === undefined) setHere.set(loc.root, m = new Map())
      m.set(loc.key, (m.get(loc.key) ?? 0) + 1)
    } else if (item.content instanceof Y.ContentAny) {
      appended.set(loc.root, (appended.get(loc.root) ?? 0) + item.length)
    }
  }
  const presentAfter = (root: string, key: string): boolean => mapGet(doc, root, key) !== undefined || (setHere.get(root)?.has(key) ?? false)

  // Pass 2: the schema's rules for every item.
  for (const { item, loc } of items) checkItem(doc, item, loc, setHere, appended, presentAfter)

  // Deletes: only a holder's own holding entries, and status values being overwritten in this same update.
  for (const [client, ranges] of ds.clients) {
    for (const r of ranges) {
      // Yjs never writes an empty range, and applying one throws inside Y.applyUpdate, after part of it is applied
      if (!(r.len > 0)) fail(`an empty delete range at ${client}:${r.clock}`)
      let clock = r.clock
      const end = r.clock + r.len
      while (clock < end) {
        const id = Y.createID(client, clock)
        const l = findLocal(id)
        let s: Y.Item | Y.GC | undefined
        let loc: Loc | null = null
        if (l !== undefined) {
          s = l.struct
          if (!(s instanceof Y.GC)) loc = locOf(l, 0)
          clock = l.clock + l.length
        } else {
          s = findDoc(id)
          if (s === undefined) fail(`deletes missing struct ${client}:${clock}`)
          const ds0 = s as Y.Item | Y.GC
          clock = ds0.id.clock + ds0.length
          if (ds0 instanceof Y.GC || ds0.deleted) continue
          loc = docLoc(ds0)
        }
        if (loc === null) continue
        if (loc.root === ROOT_HOLDING) continue
        if (loc.root === ROOT_STATUS && loc.key !== null && setHere.get(ROOT_STATUS)?.has(loc.key) === true) continue
        if (l !== undefined && (l.struct as Y.Item).content instanceof Y.ContentDeleted && !SET_ONCE.has(loc.root) && loc.key !== null) continue
        fail(`deletes content of '${loc.root}'${loc.key !== null ? ` key '${loc.key.slice(0, 80)}'` : ''}, which is not removable`)
      }
    }
  }
}

function checkItem (
  doc: Y.Doc, item: Y.Item, loc: Loc,
  setHere: Map<string, Map<string, number>>, appended: Map<string, number>,
  presentAfter: (root: string, key: string) => boolean
): void {
  const { root, key } = loc
  const values = item.content instanceof Y.ContentAny ? item.content.arr : null
  const where = `'${root.slice(0, 60)}'${key !== null ? ` key '${key.slice(0, 80)}'` : ''}`
  const need = (cond: boolean, why: string): void => { if (!cond) fail(`${where}: ${why}`) }

  if (MAP_ROOTS.has(root)) {
    need(key !== null, 'is a map; array insertions are not allowed')
    need(item.rightOrigin === null, 'a map entry has no right neighbour')
    const k = key as string
    if (SET_ONCE.has(root)) {
      need(values !== null, 'a set-once entry cannot be deleted')
      need(!mapEverSet(doc, root, k), 'is set once and already set')
      need(setHere.get(root)?.get(k) === 1, 'is set once and written twice')
    }
    const value = values === null ? undefined : values[0]
    if (values !== null) need(values.length === 1, 'a map entry holds one value')
    const bad = (e: string | null): void => need(e === null, `value ${e as string}`)
    switch (root) {
      case ROOT_SESSIONS:
        need(isSessionId(k), 'key must be a session ID')
        bad(checkSessionRecord(value))
        break
      case ROOT_SEALED: {
        need(isSessionId(k), 'key must be a session ID')
        bad(checkSealRecord(value))
        need(presentAfter(ROOT_SESSIONS, k), 'only the recorder seals its session')
        const chunks = arrayLength(doc, CHUNKS_PREFIX + k) + (appended.get(CHUNKS_PREFIX + k) ?? 0)
        need(chunks === (value as { chunkCount: number }).chunkCount, `chunk count ${(value as { chunkCount: number }).chunkCount} differs from the ${chunks} chunks listed`)
        break
      }
      case ROOT_OBSERVERS: {
        const p = parseObserverKey(k)
        need(p !== null, 'key must be <sessionId>/<name>')
        bad(checkObserverRecord(value))
        need(presentAfter(ROOT_SESSIONS, (p as { sessionId: string }).sessionId), 'only the recorder adds observers')
        break
      }
      case ROOT_ANCHORS:
        need(isSessionId(k), 'key must be a session ID')
        bad(checkAnchorRecord(value))
        break
      case ROOT_ANCHOR_FINAL:
        need(isSessionId(k), 'key must be a session ID')
        bad(checkAnchorFinality(value))
        need(presentAfter(ROOT_ANCHORS, k), "needs this author's 'anchors' entry")
        break
      case ROOT_HOLDING:
        need(isSessionId(k), 'key must be a session ID')
        if (values !== null) bad(checkHoldingRecord(value))
        break
      case ROOT_STATUS: {
        need(isSessionId(k), 'key must be a session ID')
        if (values === null) break
        bad(checkStatus(value))
        const before = (mapGet(doc, ROOT_STATUS, k) as number | undefined) ?? 0
        need((value as number) > before, `status may only move forward (from ${before} to ${value as number})`)
        for (const evidence of STATUS_EVIDENCE[statusName(value as number)]) {
          need(presentAfter(evidence, k), `status '${statusName(value as number)}' needs this author's '${evidence}' entry`)
        }
        break
      }
    }
    return
  }
  if (root !== ROOT_INCIDENTS && !root.startsWith(CHUNKS_PREFIX)) fail(`unknown root type ${where}`)
  need(key === null, 'is an array; map entries are not allowed')
  need(item.rightOrigin === null, 'is append-only: insertion before existing content')
  need(values !== null, 'is append-only: nothing may be deleted')
  if (root === ROOT_INCIDENTS) {
    for (const v of values as unknown[]) need(checkIncident(v) === null, `incident ${checkIncident(v) as string}`)
    return
  }
  if (root.startsWith(CHUNKS_PREFIX)) {
    const sid = root.slice(CHUNKS_PREFIX.length)
    need(isSessionId(sid), 'root must be chunks/<sessionId>')
    need(presentAfter(ROOT_SESSIONS, sid), 'only the recorder lists chunks')
    need(mapGet(doc, ROOT_SEALED, sid) === undefined, 'the chunk list is closed once sealed')
    for (const v of values as unknown[]) need(checkChunk(v) === null, 'chunk must be a base32 CID')
    return
  }
  fail(`unknown root type ${where}`)
}
