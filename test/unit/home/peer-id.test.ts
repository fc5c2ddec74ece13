import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { ed25519 } from '@noble/curves/ed25519.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { identityFromPublicKey } from '../../../node/src/home/peer-id.js'
import { identityFromSecret } from '../../../node/src/home/home.js'

describe('peer IDs of Ed25519 keys', () => {
  it('property: equal to the peer ID libp2p derives (the node\'s libp2p identity)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
      const publicKey = ed25519.getPublicKey(seed)
      // libp2p's raw Ed25519 private key is seed ‖ public key.
      const expected = peerIdFromPrivateKey(privateKeyFromRaw(new Uint8Array([...seed, ...publicKey]))).toString()
      assert.equal(identityFromPublicKey(publicKey), expected)
      assert.equal(identityFromSecret(seed).peerId, expected)
    }), { numRuns: 50 })
  })

  it('refuses a key of the wrong length', () => {
    assert.throws(() => identityFromPublicKey(new Uint8Array(31)), /32 bytes, got 31/)
  })
})
