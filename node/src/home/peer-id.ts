/**
 * Peer IDs of Ed25519 keys, as libp2p derives them, without loading libp2p (15 MB that `lucid seal` does not need):
 * base58btc of the identity multihash (0x00, length 36) over the protobuf PublicKey { Type: Ed25519 (1), Data: key }.
 * test/unit/home/peer-id.test.ts checks it against @libp2p/peer-id.
 */
import { base58btc } from 'multiformats/bases/base58'

const PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)

export function identityFromPublicKey (publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new Error(`an Ed25519 public key is 32 bytes, got ${publicKey.length}`)
  const bytes = new Uint8Array(PREFIX.length + 32)
  bytes.set(PREFIX)
  bytes.set(publicKey, PREFIX.length)
  // base58btc's multibase prefix 'z' is not part of a peer ID's text form.
  return base58btc.encode(bytes).slice(1)
}
