// The sessions a proposer lists in its block's PoOT body: LucidAnchors' SessionRegistered logs of successful
// transactions, with canonical session IDs only; checked against the contract's own event encoding.
import { strict as assert } from 'node:assert'
import { ethers } from 'ethers'
import { hexToBytes } from '@ethereumjs/util'
import { loadArtifact } from '../../../contracts/index.js'
import { registeredSessions, SESSION_REGISTERED_TOPIC } from '../../../node/src/chainnet/block-sessions.js'
import { sessionIdToBytes32 } from '../../../protocols/session/session-id.js'
import type { Log, StoredReceipt } from '../../../node/src/chain/store.js'

const anchors = '0x' + '11'.repeat(20)
const iface = new ethers.Interface(loadArtifact('LucidAnchors').abi as ethers.InterfaceAbi)
const b = (h: string): Uint8Array => hexToBytes(h as `0x${string}`)

function registration (sessionId32: string, address = anchors): Log {
  const owner = '0x' + '22'.repeat(20)
  const log = iface.encodeEventLog('SessionRegistered', [sessionId32, owner, owner, ethers.ZeroHash, 1n, ethers.ZeroHash, 3])
  return [b(address), log.topics.map(b), b(log.data)]
}

const receipt = (logs: Log[], status: 0 | 1 = 1): StoredReceipt => ({ status, cumulativeGasUsed: 0n, gasUsed: 0n, logs, bloom: new Uint8Array(256), contractAddress: new Uint8Array(0) })

describe('chain: the sessions a block lists (LucidAnchors registrations)', () => {
  const a = '3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f'
  const c = '00000000-0000-4000-8000-000000000001'

  it('the topic is the contract\'s event', () => {
    assert.equal(SESSION_REGISTERED_TOPIC, iface.getEvent('SessionRegistered')?.topicHash)
  })

  it('lists each registration of a successful transaction, in order, with 0 bytes', () => {
    const other = '0x' + '33'.repeat(20)
    const got = registeredSessions([
      receipt([registration(sessionIdToBytes32(a))]),
      receipt([registration(sessionIdToBytes32(c), other)]), // another contract's event of the same shape
      receipt([registration(sessionIdToBytes32(c))])
    ], anchors)
    assert.deepEqual(got, [{ sessionId: a, bytes: 0 }, { sessionId: c, bytes: 0 }])
  })

  it('leaves out bytes32 IDs that are no Lucid session ID, and failed transactions', () => {
    const notUuid = '0x' + 'ab'.repeat(16) + '00'.repeat(16)
    const tail = '0x' + sessionIdToBytes32(a).slice(2, 34) + '01'.repeat(16)
    assert.deepEqual(registeredSessions([receipt([registration(notUuid), registration(tail)]), receipt([registration(sessionIdToBytes32(a))], 0)], anchors), [])
  })
})
