/**
 * The chain's ethereumjs Common: a custom chain (chainId from genesis), proof-of-stake rules ('pos'/'casper': no
 * PoW, no block reward, difficulty 0), every fork up to the chosen one active from genesis.
 */
import { createCustomCommon, Mainnet, type Common } from '@ethereumjs/common'
import { nativeCrypto } from './crypto.js'

export type ChainHardfork = 'cancun' | 'prague'

const PRE_MERGE = ['chainstart', 'homestead', 'dao', 'tangerineWhistle', 'spuriousDragon', 'byzantium', 'constantinople',
  'petersburg', 'istanbul', 'muirGlacier', 'berlin', 'london', 'arrowGlacier', 'grayGlacier', 'paris']
const POST_MERGE = ['shanghai', 'cancun', 'prague']

export interface CommonSpec {
  chainId: number
  hardfork: ChainHardfork
  gasLimit: bigint
  baseFeePerGas: bigint
  timestamp: number
  extraData: string
}

export function makeCommon (spec: CommonSpec): Common {
  const post = POST_MERGE.slice(0, POST_MERGE.indexOf(spec.hardfork) + 1)
  return createCustomCommon({
    name: `lucid-${spec.chainId}`,
    chainId: spec.chainId,
    consensus: { type: 'pos', algorithm: 'casper' },
    genesis: {
      gasLimit: Number(spec.gasLimit),
      difficulty: 0,
      nonce: '0x0000000000000000',
      extraData: spec.extraData as `0x${string}`,
      timestamp: `0x${spec.timestamp.toString(16)}`,
      baseFeePerGas: `0x${spec.baseFeePerGas.toString(16)}`
    },
    hardforks: [
      ...PRE_MERGE.map((name) => ({ name, block: 0 })),
      ...post.map((name) => ({ name, block: null, timestamp: 0 }))
    ]
  }, Mainnet, { hardfork: spec.hardfork, customCrypto: nativeCrypto() })
}
