import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { effectiveConfig, envLayer, flagLayer } from '../../../node/src/runtime/settings.js'
import { ConfigError } from '../../../node/src/home/config.js'

describe('effective config: config.json < environment < flags', () => {
  const file = { version: 1, node: { maxPeers: 20, listen: ['/ip4/0.0.0.0/tcp/9000'] }, api: { port: 5000 } }

  it('applies the layers in order', () => {
    const c = effectiveConfig(file, 'config.json', [
      ...envLayer({ LUCID_MAX_PEERS: '30', LUCID_API: '127.0.0.1:6000', LUCID_REPLICATION: '2' }),
      ...flagLayer({ api: '127.0.0.1:7000', listen: ['/ip4/127.0.0.1/tcp/1'] })
    ])
    assert.equal(c.node.maxPeers, 30)
    assert.equal(c.api.port, 7000)
    assert.deepEqual(c.node.listen, ['/ip4/127.0.0.1/tcp/1'])
    assert.equal(c.swarm.replication, 2)
    assert.equal(c.api.host, '127.0.0.1')
  })

  it('fills defaults for an old config file', () => {
    const c = effectiveConfig({ version: 1 }, 'config.json', [])
    assert.equal(c.node.maxPeers, 50)
    assert.equal(c.api.host, '127.0.0.1')
    assert.equal(c.swarm.replication, 3)
  })

  it('reports every bad value on its own line, naming where it came from', () => {
    assert.throws(() => effectiveConfig({ version: 1, node: { maxPeers: 500 } }, 'config.json', [
      ...envLayer({ LUCID_REPLICATION: 'three', LUCID_BOOTSTRAP: '/ip4/1.2.3.4/tcp/1' }),
      ...flagLayer({ api: 'nowhere' })
    ]), (err: Error) => {
      const lines = err.message.split('\n')
      assert.ok(lines.some((l) => l.startsWith('config.json: node.maxPeers:')), err.message)
      assert.ok(lines.some((l) => l.startsWith('LUCID_REPLICATION: swarm.replication:')), err.message)
      assert.ok(lines.some((l) => l.startsWith('LUCID_BOOTSTRAP: node.bootstrap.0:') && l.includes('/p2p/')), err.message)
      assert.ok(lines.some((l) => l.startsWith('--api: api.')), err.message)
      return true
    })
  })

  it('refuses a config file that is not a JSON object with one line naming the file, flags or not', () => {
    for (const file of [5, 'x', true, [], [{ version: 1 }]]) {
      for (const layers of [[], flagLayer({ listen: ['/ip4/127.0.0.1/tcp/0'], api: '127.0.0.1:1' })]) {
        assert.throws(() => effectiveConfig(file, 'config.json', layers), (err: Error) => {
          assert.ok(err instanceof ConfigError, `${String(err)}`)
          assert.match(err.message, /^config\.json: \(root\): expected a JSON object, got (a number|a string|a boolean|an array|number|string|boolean)$/)
          return true
        })
      }
    }
  })

  it('property: whatever the file holds and the flags set, the result is a config or a ConfigError', () => {
    const json = fc.jsonValue({ maxDepth: 3 })
    const file = fc.oneof(json, fc.dictionary(fc.constantFrom('version', 'node', 'api', 'swarm', 'chain', 'log', 'seal'), json, { maxKeys: 4 }))
    fc.assert(fc.property(file, fc.boolean(), (value, flags) => {
      const layers = flags ? flagLayer({ listen: ['/ip4/127.0.0.1/tcp/0'], api: '127.0.0.1:1', logLevel: 'debug', rpc: '127.0.0.1:2' }) : []
      try { effectiveConfig(value, 'config.json', layers) } catch (err) { assert.ok(err instanceof ConfigError, `${(err as Error).constructor.name}: ${(err as Error).message}`) }
    }), { numRuns: 500 })
  })
})
