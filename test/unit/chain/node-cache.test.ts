// The execution worker's trie node cache (node/src/chain/node-cache.ts): a least-recently-used cache, checked
// against a plain list model under random operation sequences.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { NodeCache } from '../../../node/src/chain/node-cache.js'

type Op = { op: 'get' | 'set' | 'delete', key: string, value: number }

describe('chain: execution worker node cache', () => {
  it('keeps the most recently used entries up to its size, as a list model does', () => {
    const op = fc.record({ op: fc.constantFrom<Op['op']>('get', 'set', 'delete'), key: fc.constantFrom('a', 'b', 'c', 'd'), value: fc.integer() })
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.array(op, { minLength: 10, maxLength: 80 }), (max, ops) => {
      const cache = new NodeCache<number>(max)
      let model: Array<[string, number]> = [] // least recently used first
      for (const o of ops) {
        const at = model.findIndex(([k]) => k === o.key)
        if (o.op === 'get') {
          assert.equal(cache.get(o.key), at < 0 ? undefined : model[at][1])
          if (at >= 0) model.push(...model.splice(at, 1))
        } else if (o.op === 'set') {
          cache.set(o.key, o.value)
          if (at >= 0) model.splice(at, 1)
          model.push([o.key, o.value])
          if (model.length > max) model = model.slice(1)
        } else {
          cache.delete(o.key)
          if (at >= 0) model.splice(at, 1)
        }
        assert.equal(cache.size, model.length)
      }
    }))
  })
})
